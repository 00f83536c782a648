using System.Security.Cryptography;

namespace BuildMlops.Images.Docker;

/// <summary>
/// Reads a blob through to its end while hashing it, and throws at the end when its SHA-256 or its size is not
/// the one its descriptor gives: a damaged image tar fails here, naming the blob, rather than as an engine's
/// "unexpected EOF" or a diff_id mismatch. It cannot seek, since a seek would skip bytes the digest covers.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, string digest, long size, string description, IDisposable? owner = null) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long read;
    private bool verified;

    public override int Read(Span<byte> buffer)
    {
        var count = inner.Read(buffer);
        hash.AppendData(buffer[..count]);
        read += count;
        if (read > size)
        {
            throw new InvalidDataException($"{description} is longer than the {size} bytes its descriptor gives");
        }

        if (count == 0 && buffer.Length > 0)
        {
            Verify();
        }

        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    private void Verify()
    {
        if (verified)
        {
            return;
        }

        verified = true;
        var actual = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        if (read != size || actual != digest)
        {
            throw new InvalidDataException($"{description} is {actual} ({read} bytes), not {digest} ({size} bytes) as its descriptor says: the image tar is damaged");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            inner.Dispose();
            owner?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
