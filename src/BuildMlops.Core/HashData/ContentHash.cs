using System.Security.Cryptography;

namespace BuildMlops.HashData;

/// <summary>
/// SHA-256 of file contents, lower-case hex. SHA-256 uses the CPU's SHA extensions through the
/// platform crypto library, and is what OCI digests and S3 checksums use too.
/// </summary>
public static class ContentHash
{
    public const string Algorithm = "sha256";

    /// <summary>
    /// Reads through the file handle into a pooled buffer: no FileStream buffer per file, which for many
    /// small files costs more in garbage collection than the hashing itself.
    /// </summary>
    public static string OfFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The read size for hashing and copying: large enough for the hash to run at full speed.</summary>
    public const int BufferSize = 1 << 20;

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string OfText(string text) => OfBytes(System.Text.Encoding.UTF8.GetBytes(text));
}
