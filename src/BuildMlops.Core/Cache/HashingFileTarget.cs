using System.Buffers;
using BuildMlops.HashData;
using BuildMlops.Remotes;
using Microsoft.Win32.SafeHandles;

namespace BuildMlops.Cache;

/// <summary>
/// A download target that writes ranges into a new file at their offsets and hashes the file's bytes in
/// order while the download is still running: the hash is fed in order (SHA-256 is one sequential chain,
/// and BLAKE3's incremental hasher takes its chunks in order too), so the writer whose range
/// starts where the hashed prefix ends hashes its own buffer, then whatever other ranges have already
/// joined on (read back from the file, which the page cache still holds). Verification so overlaps the
/// download instead of re-reading the whole object after it.
/// </summary>
internal sealed class HashingFileTarget : IDownloadTarget, IDisposable
{
    private readonly SafeFileHandle file;
    private readonly ContentHasher hash;
    private readonly Lock gate = new();

    // Written but not yet hashed, merged where they touch: start -> end and end -> start.
    private readonly Dictionary<long, long> pendingByStart = [];
    private readonly Dictionary<long, long> pendingByEnd = [];

    // Bytes [0, hashed) are in the hash; only the writer that set `hashing` appends to it.
    private long hashed;
    private bool hashing;

    public HashingFileTarget(string path, long? expectedSize, ContentHashAlgorithm algorithm)
    {
        ExpectedSize = expectedSize;
        hash = new ContentHasher(algorithm);
        file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
    }

    public long? ExpectedSize { get; }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        if (data.IsEmpty)
        {
            return;
        }

        await RandomAccess.WriteAsync(file, data, offset, cancellation);
        var end = offset + data.Length;
        lock (gate)
        {
            if (hashing || offset != hashed)
            {
                AddPending(offset, end);
                return;
            }

            hashing = true;
        }

        hash.Append(data.Span);
        HashJoinedRanges(end);
    }

    /// <summary>
    /// The hash of the file, or null when it has a gap (a range never written): such a file is not
    /// the object, whatever its hash would be.
    /// </summary>
    public string? Hash()
    {
        lock (gate)
        {
            if (hashing || pendingByStart.Count > 0 || hashed != RandomAccess.GetLength(file))
            {
                return null;
            }

            // Asked once, when the download is over: the hasher is not needed again.
            return hash.HashAndReset();
        }
    }

    public void Dispose()
    {
        file.Dispose();
        hash.Dispose();
    }

    /// <summary>With the hash up to <paramref name="end"/>: hashes every written range that now follows on, then lets go.</summary>
    private void HashJoinedRanges(long end)
    {
        while (true)
        {
            long from;
            long to;
            lock (gate)
            {
                hashed = end;
                if (!pendingByStart.Remove(hashed, out to))
                {
                    hashing = false;
                    return;
                }

                pendingByEnd.Remove(to);
                from = hashed;
            }

            HashFromFile(from, to);
            end = to;
        }
    }

    private void HashFromFile(long from, long to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ContentHash.BufferSize);
        try
        {
            while (from < to)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - from)), from);
                if (read == 0)
                {
                    throw new IOException("a downloaded range was shorter on disk than written");
                }

                hash.Append(buffer.AsSpan(0, read));
                from += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void AddPending(long start, long end)
    {
        if (pendingByEnd.Remove(start, out var before))
        {
            pendingByStart.Remove(before);
            start = before;
        }

        if (pendingByStart.Remove(end, out var after))
        {
            pendingByEnd.Remove(after);
            end = after;
        }

        pendingByStart[start] = end;
        pendingByEnd[end] = start;
    }
}
