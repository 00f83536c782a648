using System.Security.Cryptography;

namespace BuildMlops.HashData;

/// <summary>
/// An incremental hash of either algorithm, for bytes that arrive in pieces: a download hashed while it
/// streams, a copy hashed on its way into the cache.
/// </summary>
public sealed class ContentHasher : IDisposable
{
    private readonly IncrementalHash? sha256;
    private readonly Blake3Hasher? blake3;

    public ContentHasher(ContentHashAlgorithm algorithm)
    {
        Algorithm = algorithm;
        if (algorithm == ContentHashAlgorithm.Blake3)
        {
            blake3 = new Blake3Hasher();
        }
        else
        {
            sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
    }

    public ContentHashAlgorithm Algorithm { get; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (blake3 is not null)
        {
            blake3.Append(data);
        }
        else
        {
            sha256!.AppendData(data);
        }
    }

    /// <summary>The hash of everything appended, in lower-case hex; the hasher starts over.</summary>
    public string HashAndReset() => Convert.ToHexStringLower(blake3?.GetHashAndReset() ?? sha256!.GetHashAndReset());

    public void Dispose() => sha256?.Dispose();
}
