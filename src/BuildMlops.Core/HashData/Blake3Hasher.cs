namespace BuildMlops.HashData;

/// <summary>
/// Incremental BLAKE3 (hash mode, 32-byte digest): feed the data in pieces of any size, as it arrives, and
/// get the same digest as <see cref="Blake3.Hash(ReadOnlySpan{byte})"/> of the whole. Not thread-safe;
/// reusable after <see cref="GetHashAndReset()"/>.
/// </summary>
public sealed class Blake3Hasher
{
    private readonly int _lanes;
    private Blake3State _state;

    public Blake3Hasher()
        : this(Blake3Simd.BestLanes)
    {
    }

    /// <summary>For tests: <paramref name="lanes"/> limits the SIMD width (1, 4, 8 or 16).</summary>
    internal Blake3Hasher(int lanes)
    {
        _lanes = lanes;
        _state.Reset(Blake3Core.HashModeKey(), 0, _lanes);
    }

    /// <summary>Adds <paramref name="data"/> to the input.</summary>
    public void Append(ReadOnlySpan<byte> data) => _state.Append(data);

    /// <summary>Returns the digest of everything appended since the last reset, and starts over.</summary>
    public byte[] GetHashAndReset()
    {
        var hash = new byte[Blake3.HashSize];
        GetHashAndReset(hash);
        return hash;
    }

    /// <summary>Writes the digest of everything appended since the last reset to <paramref name="output32"/>, and starts over.</summary>
    /// <exception cref="ArgumentException"><paramref name="output32"/> is shorter than <see cref="Blake3.HashSize"/>.</exception>
    public void GetHashAndReset(Span<byte> output32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output32.Length, Blake3.HashSize, nameof(output32));
        _state.Finish().RootHash(output32);
        _state.Reset(Blake3Core.HashModeKey(), 0, _lanes);
    }
}
