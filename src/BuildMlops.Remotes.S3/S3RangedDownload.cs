using System.Buffers;
using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// One large object as ranged GETs, a few in flight at once, each written at its offset into the target,
/// as the AWS CLI does: one GET stream is limited by one connection's window and one server worker. The
/// first range's answer gives the object's real size (Content-Range), so no HEAD is needed and the
/// caller's expected size only decides whether ranges are worth it. The target verifies the bytes.
/// Every range holds one of the remote's part slots while it is in flight, so pulling several large
/// objects at once still keeps at most that many ranges open, as the AWS CLI keeps its request count.
/// </summary>
internal static class S3RangedDownload
{
    /// <summary>Reads fill a buffer this large before it is written: fewer, larger writes and hash steps.</summary>
    private const int BufferSize = 1 << 19;

    /// <summary>
    /// Fills <paramref name="target"/>; false if there is no such key. Throws <see cref="InvalidDataException"/>
    /// when the object cannot be what the caller expects (it is empty), and what <paramref name="cutOff"/>
    /// makes of a connection that ended before its range did (sent bytes, announced bytes).
    /// </summary>
    public static async Task<bool> RunAsync(IAmazonS3 client, string bucket, string objectKey, IDownloadTarget target, S3RemoteOptions options, SemaphoreSlim slots, Func<long, long, Exception> cutOff, CancellationToken cancellation)
    {
        var partSize = options.PartSize;
        await slots.WaitAsync(cancellation);
        // The first range's slot, held from its GET to the end of its body: 1 while held, 0 once released.
        var firstSlot = 1;
        void ReleaseFirstSlot()
        {
            if (Interlocked.Exchange(ref firstSlot, 0) == 1)
            {
                slots.Release();
            }
        }

        GetObjectResponse first;
        try
        {
            first = await client.GetObjectAsync(Request(bucket, objectKey, 0, partSize), cancellation);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != S3ErrorTranslator.NoSuchBucketCode)
        {
            ReleaseFirstSlot();
            return false;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            ReleaseFirstSlot();
            // Only an empty object has no first byte, and the caller expects a large one.
            throw new InvalidDataException($"object {objectKey} is empty", exception);
        }
        catch
        {
            ReleaseFirstSlot();
            throw;
        }

        try
        {
            using (first)
            {
                // A server that ignores Range answers 200 with the whole object: then that one stream is all.
                var total = TotalLength(first.ContentRange) ?? first.ContentLength;
                var ranges = (int)((total + partSize - 1) / partSize);
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.PartConcurrency), CancellationToken = cancellation };
                await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(1, ranges)), parallel, async (index, token) =>
                {
                    if (index > 0)
                    {
                        var start = index * partSize;
                        await FetchRangeAsync(client, bucket, objectKey, start, Math.Min(partSize, total - start), total, target, slots, cutOff, token);
                        return;
                    }

                    try
                    {
                        await CopyAsync(first, target, 0, first.ContentLength, cutOff, token);
                    }
                    finally
                    {
                        ReleaseFirstSlot();
                    }
                });
            }
        }
        finally
        {
            // Parallel.ForEachAsync runs no item at all if cancelled before it starts.
            ReleaseFirstSlot();
        }

        return true;
    }

    /// <summary>One range after the first, in a slot of its own; its answer must be that range of an object of the same size.</summary>
    private static async Task FetchRangeAsync(IAmazonS3 client, string bucket, string objectKey, long start, long length, long total, IDownloadTarget target, SemaphoreSlim slots, Func<long, long, Exception> cutOff, CancellationToken cancellation)
    {
        await slots.WaitAsync(cancellation);
        try
        {
            using var response = await client.GetObjectAsync(Request(bucket, objectKey, start, length), cancellation);
            if (TotalLength(response.ContentRange) != total || !response.ContentRange.StartsWith($"bytes {start}-", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"object {objectKey} answered the range from {start} with '{response.ContentRange}' (of {total} bytes)");
            }

            await CopyAsync(response, target, start, length, cutOff, cancellation);
        }
        finally
        {
            slots.Release();
        }
    }

    private static GetObjectRequest Request(string bucket, string objectKey, long start, long length) =>
        new() { BucketName = bucket, Key = objectKey, ByteRange = new ByteRange(start, start + length - 1) };

    /// <summary>The object's size from <c>bytes first-last/total</c>; null without one.</summary>
    private static long? TotalLength(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    private static async Task CopyAsync(GetObjectResponse response, IDownloadTarget target, long offset, long length, Func<long, long, Exception> cutOff, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long copied = 0;
            int read;
            while ((read = await response.ResponseStream.ReadAtLeastAsync(buffer.AsMemory(0, BufferSize), BufferSize, throwOnEndOfStream: false, cancellation)) > 0)
            {
                if (copied + read > length)
                {
                    throw new InvalidDataException($"the range from {offset} sent more than its {length} bytes");
                }

                await target.WriteAsync(offset + copied, buffer.AsMemory(0, read), cancellation);
                copied += read;
            }

            if (copied != length)
            {
                throw cutOff(copied, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
