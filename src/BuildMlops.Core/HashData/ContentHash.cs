using System.Security.Cryptography;

namespace BuildMlops.HashData;

/// <summary>
/// Hashes of file contents, lower-case hex. SHA-256 (the default here) uses the CPU's SHA extensions
/// through the platform crypto library, and is what OCI digests and S3 checksums use too; BLAKE3 is
/// ours, with SIMD, and splits a large file across the cores.
/// </summary>
public static class ContentHash
{
    /// <summary>
    /// Reads through the file handle into a pooled buffer: no FileStream buffer per file, which for many
    /// small files costs more in garbage collection than the hashing itself.
    /// </summary>
    public static string OfFile(string path, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (algorithm == ContentHashAlgorithm.Blake3)
        {
            return Convert.ToHexStringLower(Blake3.HashFile(handle));
        }

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

    public static string OfBytes(ReadOnlySpan<byte> bytes, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256) =>
        Convert.ToHexStringLower(algorithm == ContentHashAlgorithm.Blake3 ? Blake3.Hash(bytes) : SHA256.HashData(bytes));

    public static string OfText(string text, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256) =>
        OfBytes(System.Text.Encoding.UTF8.GetBytes(text), algorithm);
}
