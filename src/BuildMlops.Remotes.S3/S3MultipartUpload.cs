using Amazon.S3;
using Amazon.S3.Model;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// One large file as a multipart upload: parts read straight from the file, a few in flight at once
/// (each holding one of the remote's part slots, shared by all its large transfers), then completed in
/// order. S3 shows the object only once it is completed, so any failure or cancellation aborts the
/// upload and leaves nothing under the key.
/// </summary>
internal static class S3MultipartUpload
{
    /// <summary>S3 takes at most this many parts in one upload.</summary>
    private const int MaxParts = 10_000;

    private static readonly TimeSpan AbortTimeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(IAmazonS3 client, string bucket, string objectKey, string localPath, long length, S3RemoteOptions options, SemaphoreSlim slots, CancellationToken cancellation)
    {
        var initiated = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = objectKey }, cancellation);
        var uploadId = initiated.UploadId;
        try
        {
            var partSize = PartSizeFor(length, options.PartSize);
            var partCount = (int)((length + partSize - 1) / partSize);
            var parts = new PartETag[partCount];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.PartConcurrency), CancellationToken = cancellation };
            await Parallel.ForEachAsync(Enumerable.Range(1, partCount), parallel, async (partNumber, token) =>
            {
                var position = (partNumber - 1) * partSize;
                await slots.WaitAsync(token);
                UploadPartResponse response;
                try
                {
                    response = await client.UploadPartAsync(
                        new UploadPartRequest
                        {
                            BucketName = bucket,
                            Key = objectKey,
                            UploadId = uploadId,
                            PartNumber = partNumber,
                            FilePath = localPath,
                            FilePosition = position,
                            PartSize = Math.Min(partSize, length - position),
                            IsLastPart = partNumber == partCount,
                            // Chunked (aws-chunked) bodies are stored verbatim by some S3-compatible servers.
                            UseChunkEncoding = false,
                        },
                        token);
                }
                finally
                {
                    slots.Release();
                }

                parts[partNumber - 1] = new PartETag(partNumber, response.ETag);
            });

            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = objectKey, UploadId = uploadId, PartETags = [.. parts] },
                cancellation);
        }
        catch
        {
            await AbortAsync(client, bucket, objectKey, uploadId);
            throw;
        }
    }

    /// <summary>The configured part size, grown (in whole MiB) when the file would need more than 10,000 parts.</summary>
    internal static long PartSizeFor(long length, long configuredPartSize)
    {
        const long mebibyte = 1L << 20;
        var smallest = (length + MaxParts - 1) / MaxParts;
        smallest = (smallest + mebibyte - 1) / mebibyte * mebibyte;
        return Math.Max(configuredPartSize, smallest);
    }

    /// <summary>Best effort, and never with the caller's token, which may be what was cancelled.</summary>
    private static async Task AbortAsync(IAmazonS3 client, string bucket, string objectKey, string uploadId)
    {
        using var timeout = new CancellationTokenSource(AbortTimeout);
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = objectKey, UploadId = uploadId }, timeout.Token);
        }
        catch (Exception exception) when (exception is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            // The upload was never completed, so no object is visible and the original error is what
            // matters. Parts an abort could not remove stay until the bucket's lifecycle rule for
            // incomplete multipart uploads, if it has one, removes them.
        }
    }
}
