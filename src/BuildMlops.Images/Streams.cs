using System.Security.Cryptography;

namespace BuildMlops.Images;

/// <summary>A write-only stream that hashes (SHA-256) and counts what passes through to an inner stream.</summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesWritten { get; private set; }

    /// <summary>"sha256:…" of everything written so far; call once, at the end.</summary>
    public string Digest() => "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hash.AppendData(buffer);
        BytesWritten += buffer.Length;
        inner.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// Passes a gzip stream through with its 10-byte header made platform independent: MTIME 0 and
/// OS 255 ("unknown"). GZipStream writes MTIME 0 already, but its OS byte is the one zlib was
/// built for (3 on Unix, another on Windows), which would make a layer's digest depend on the OS.
/// </summary>
internal sealed class GzipHeaderStream(Stream inner) : Stream
{
    private long position;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (position < 10 && buffer.Length > 0)
        {
            var copy = buffer.ToArray();
            for (var i = 0; i < copy.Length && position + i < 10; i++)
            {
                var at = position + i;
                if (at is >= 4 and <= 7)
                {
                    copy[i] = 0;
                }
                else if (at == 9)
                {
                    copy[i] = 255;
                }
            }

            inner.Write(copy);
        }
        else
        {
            inner.Write(buffer);
        }

        position += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
