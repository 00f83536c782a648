using System.Security.Cryptography;

namespace BuildMlops.HashData;

/// <summary>
/// SHA-256 of file contents, lower-case hex. SHA-256 uses the CPU's SHA extensions through the
/// platform crypto library, and is what OCI digests and S3 checksums use too.
/// </summary>
public static class ContentHash
{
    public const string Algorithm = "sha256";

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string OfText(string text) => OfBytes(System.Text.Encoding.UTF8.GetBytes(text));
}
