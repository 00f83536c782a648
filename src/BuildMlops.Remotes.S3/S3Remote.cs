using System.Buffers;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using BuildMlops.Diagnostics;
using BuildMlops.Repository;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// A remote in an S3 bucket, or on an S3-compatible server: <c>s3://bucket/optional/prefix</c> with the
/// options <c>endpoint</c>, <c>region</c> and <c>path_style</c> (see <see cref="S3RemoteOptions"/>).
/// Credentials come only from the AWS credential chain. Objects up to 64 MiB are one PUT and one GET;
/// larger ones a multipart upload that is aborted on failure (S3 shows an object only once it is whole)
/// and ranged GETs at once. Which of many keys exist is found by listing their fan-out folder where that
/// takes fewer requests than a HEAD each. Callers run as many operations at once as they like: the client
/// is thread-safe.
/// </summary>
public sealed partial class S3Remote : IRemoteStorage
{
    private readonly AmazonS3Client client;
    private readonly S3ErrorTranslator errors;

    // Parts of multipart uploads and ranges of large downloads in flight, across all objects at once.
    private readonly SemaphoreSlim partSlots;
    private volatile bool bucketSeen;

    /// <summary>Opens a configured remote: its url and options from <c>.mlops/config.json</c>.</summary>
    public S3Remote(string name, RemoteSettings settings)
        : this(name, S3RemoteOptions.FromSettings(name, settings))
    {
    }

    public S3Remote(string name, S3RemoteOptions options)
    {
        Name = name;
        Options = options;
        errors = new S3ErrorTranslator(name, options);
        client = S3ClientFactory.Create(options);
        partSlots = new SemaphoreSlim(Math.Max(1, options.PartConcurrency));
    }

    public string Name { get; }

    public string Url => Options.Location.ToString();

    public S3RemoteOptions Options { get; }

    private string Bucket => Options.Location.Bucket;

    public Task<bool> ExistsAsync(string key, CancellationToken cancellation) => ExistsByObjectKeyAsync(Options.Location.ObjectKey(key), cancellation);

    private async Task<bool> ExistsByObjectKeyAsync(string objectKey, CancellationToken cancellation)
    {
        var exists = await Translated(
            async token =>
            {
                try
                {
                    await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = objectKey }, token);
                    return true;
                }
                catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }
            },
            cancellation);
        if (!exists)
        {
            await EnsureBucketExistsAsync(objectKey, cancellation);
        }

        return exists;
    }

    public async Task UploadAsync(string key, string localPath, CancellationToken cancellation)
    {
        // Read outside the translation: a local file that is missing is not the remote's problem.
        var length = new FileInfo(localPath).Length;
        var objectKey = Options.Location.ObjectKey(key);
        await Translated(
            async token =>
            {
                if (length > Options.MultipartThreshold)
                {
                    await S3MultipartUpload.RunAsync(client, Bucket, objectKey, localPath, length, Options, partSlots, token);
                }
                else
                {
                    // Chunked (aws-chunked) bodies are stored verbatim by some S3-compatible servers.
                    await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = objectKey, FilePath = localPath, UseChunkEncoding = false }, token);
                }

                bucketSeen = true;
                return true;
            },
            cancellation);
    }

    public Task<bool> DownloadAsync(string key, Stream destination, CancellationToken cancellation) =>
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
                    return false;
                }

                using (response)
                {
                    try
                    {
                        await CopyWholeAsync(response, destination, token);
                    }
                    catch (Amazon.Runtime.AmazonClientException exception) when (exception.Message.Contains("hash", StringComparison.OrdinalIgnoreCase))
                    {
                        // The SDK's own integrity check caught bytes that changed at rest: a corrupt object,
                        // which the caller handles like any other (not used, deleted, reported).
                        throw new InvalidDataException($"object {key} failed the transfer's integrity check", exception);
                    }
                }

                bucketSeen = true;
                return true;
            },
            cancellation);

    /// <summary>Objects above the multipart threshold arrive as ranges at once; smaller ones as one GET.</summary>
    public Task<bool> DownloadToAsync(string key, IDownloadTarget target, CancellationToken cancellation)
    {
        if (target.ExpectedSize is not { } size || size <= Options.MultipartThreshold)
        {
            return DownloadToStreamAsync(key, target, cancellation);
        }

        return Translated(
            async token =>
            {
                var found = await S3RangedDownload.RunAsync(client, Bucket, Options.Location.ObjectKey(key), target, Options, partSlots, CutOff, token);
                bucketSeen |= found;
                return found;
            },
            cancellation);
    }

    /// <summary>Lists the keys' folder when there are enough of them for a listing to save requests.</summary>
    public async Task<IReadOnlySet<string>?> FindExistingAsync(IReadOnlyList<string> keys, CancellationToken cancellation)
    {
        var folder = keys.Count > 0 ? keys[0][..(keys[0].LastIndexOf('/') + 1)] : "";
        if (keys.Count < Options.MinimumKeysToList || folder.Length == 0 || keys.Any(key => key.LastIndexOf('/') != folder.Length - 1 || !key.StartsWith(folder, StringComparison.Ordinal)))
        {
            return null;
        }

        var objectKeys = keys.ToDictionary(Options.Location.ObjectKey, key => key, StringComparer.Ordinal);
        var existing = await Translated(
            token => S3FolderListing.FindExistingAsync(client, Bucket, Options.Location.ObjectKey(folder), [.. objectKeys.Keys], Options.ListPageSize, ExistsByObjectKeyAsync, token),
            cancellation);
        bucketSeen = true;
        return existing.Select(objectKey => objectKeys[objectKey]).ToHashSet(StringComparer.Ordinal);
    }

    public Task DeleteAsync(string key, CancellationToken cancellation) =>
        Translated(
            async token =>
            {
                await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = Options.Location.ObjectKey(key) }, token);
                return true;
            },
            cancellation);

    public void Dispose()
    {
        client.Dispose();
        partSlots.Dispose();
    }

    /// <summary>Runs an SDK call and turns its failures into BMnnnn errors.</summary>
    private async Task<T> Translated<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellation)
    {
        try
        {
            return await call(cancellation);
        }
        catch (Exception exception) when (errors.Translate(exception, cancellation) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// A HEAD that finds nothing cannot say whether the key or the bucket is missing (a 404 has no body).
    /// The first time, a GET of the same key tells them apart (NoSuchKey or NoSuchBucket), so a mistyped
    /// bucket is BM5007 rather than "not pushed yet". A GET, not a bucket request: it needs no more
    /// permissions than the remote uses anyway, and S3-compatible servers all serve it.
    /// </summary>
    private async Task EnsureBucketExistsAsync(string objectKey, CancellationToken cancellation)
    {
        if (bucketSeen)
        {
            return;
        }

        await Translated(
            async token =>
            {
                try
                {
                    // Found after all (uploaded since the HEAD): the body is not wanted, only the answer.
                    using var _ = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = objectKey }, token);
                }
                catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != S3ErrorTranslator.NoSuchBucketCode)
                {
                }

                bucketSeen = true;
                return true;
            },
            cancellation);
    }

    /// <summary>A connection that ended before the body S3 announced: BM5006, worth trying again.</summary>
    private MlopsException CutOff(long sent, long announced) =>
        new(ErrorCodes.RemoteUnreachable, new SourceLocation(Url), $"remote '{Name}' ({Url}) sent {sent} of the {announced} bytes of an object at {Options.EndpointDescription}", "Try again; the connection to the remote was cut");

    private async Task<bool> DownloadToStreamAsync(string key, IDownloadTarget target, CancellationToken cancellation)
    {
        await using var stream = new DownloadTargetStream(target);
        return await DownloadAsync(key, stream, cancellation);
    }

    /// <summary>Copies the body, and fails (BM5006) if the connection ended before the length S3 announced.</summary>
    private async Task CopyWholeAsync(GetObjectResponse response, Stream destination, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long copied = 0;
            int read;
            while ((read = await response.ResponseStream.ReadAsync(buffer, cancellation)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellation);
                copied += read;
            }

            if (response.ContentLength >= 0 && copied != response.ContentLength)
            {
                throw CutOff(copied, response.ContentLength);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
