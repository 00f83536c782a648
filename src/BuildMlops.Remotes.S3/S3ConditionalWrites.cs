using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// S3 conditional writes (2024): <c>If-None-Match: *</c> creates a key only if it is absent, <c>If-Match:
/// &lt;etag&gt;</c> replaces an object only if it is still that version; S3 answers 412 when the condition
/// fails and 409 when another conditional write to the key is in flight (then a retry settles it). Some
/// S3-compatible servers ignore both headers and write anyway, so every call here reports success: the
/// model registry probes for that before it relies on these answers (see docs/model-registry.md).
/// </summary>
public sealed partial class S3Remote : IConditionalRemoteStorage
{
    /// <summary>How often a 409 (a concurrent conditional write in flight) is retried before it counts as losing.</summary>
    private const int ConflictRetries = 3;

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellation) =>
        PutConditionallyAsync(key, bytes, etag: null, cancellation);

    public Task<bool> ReplaceIfMatchAsync(string key, ReadOnlyMemory<byte> bytes, string etag, CancellationToken cancellation) =>
        PutConditionallyAsync(key, bytes, etag, cancellation);

    public Task<ETaggedObject?> ReadWithETagAsync(string key, CancellationToken cancellation) =>
        Translated(
            async token =>
            {
                GetObjectResponse response;
                try
                {
                    response = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = Options.Location.ObjectKey(key) }, token);
                }
                catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != S3ErrorTranslator.NoSuchBucketCode)
                {
                    return null;
                }

                using (response)
                {
                    using var buffer = new MemoryStream();
                    try
                    {
                        await CopyWholeAsync(response, buffer, token);
                    }
                    catch (Amazon.Runtime.AmazonClientException exception) when (exception.Message.Contains("hash", StringComparison.OrdinalIgnoreCase))
                    {
                        // As for downloads: bytes that changed at rest are a damaged object, for the caller to report.
                        throw new InvalidDataException($"object {key} failed the transfer's integrity check", exception);
                    }

                    bucketSeen = true;
                    return new ETaggedObject(buffer.ToArray(), response.ETag ?? "");
                }
            },
            cancellation);

    /// <summary>One PUT with <c>If-None-Match: *</c> (no <paramref name="etag"/>) or <c>If-Match: etag</c>; false on 412.</summary>
    private Task<bool> PutConditionallyAsync(string key, ReadOnlyMemory<byte> bytes, string? etag, CancellationToken cancellation) =>
        Translated(
            async token =>
            {
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        using var body = new MemoryStream(bytes.ToArray(), writable: false);
                        var request = new PutObjectRequest { BucketName = Bucket, Key = Options.Location.ObjectKey(key), InputStream = body, UseChunkEncoding = false };
                        if (etag is null)
                        {
                            request.IfNoneMatch = "*";
                        }
                        else
                        {
                            request.IfMatch = etag;
                        }

                        await client.PutObjectAsync(request, token);
                        bucketSeen = true;
                        return true;
                    }
                    catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
                    {
                        return false;
                    }
                    catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.Conflict && attempt < ConflictRetries)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1)), token);
                    }
                    catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.Conflict)
                    {
                        return false;
                    }
                    catch (AmazonS3Exception exception) when (etag is not null && exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != S3ErrorTranslator.NoSuchBucketCode)
                    {
                        // If-Match on a key that is gone: the version the caller read no longer exists.
                        return false;
                    }
                }
            },
            cancellation);
}
