using System.Collections.Concurrent;
using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;

namespace BuildMlops.DataVersioning;

/// <summary>
/// Moves objects between the cache and a remote, <c>jobs</c> at a time. Push finds out which objects the
/// remote has, per fan-out folder (<c>files/blake3/ab/</c>): by one listing of that folder where the remote
/// says that is cheaper, else by asking about each object (a HEAD); it never lists the whole remote, and
/// uploads only what is missing, after re-hashing it. Pull writes each object into a temporary file,
/// hashing it on the way (a large one may arrive in ranges at once), and renames it into the cache only
/// if it matches.
/// A corrupt remote object is never used: it is deleted from the remote where that is allowed, so the
/// next push replaces it, and reported as BM5004.
/// </summary>
public sealed class DataTransfer(ContentCache cache, IRemoteStorage remote, IMlopsLog log, int jobs)
{
    public async Task<TransferSummary> PushAsync(IEnumerable<(ContentId Id, long Size)> objects, CancellationToken cancellation)
    {
        var transferred = 0;
        var skipped = 0;
        long bytes = 0;
        var errors = new ConcurrentBag<MlopsException>();
        var unique = objects.DistinctBy(item => item.Id).OrderBy(item => item.Id.Reference, StringComparer.Ordinal).ToList();
        var present = PresenceByFolder(unique, cancellation);
        await ForEachAsync(unique, async (item, token) =>
        {
            var key = RemoteKeys.Object(item.Id);
            var listed = await present[RemoteKeys.ObjectFolder(item.Id)].Value;
            if (listed?.Contains(key) ?? await remote.ExistsAsync(key, token))
            {
                Interlocked.Increment(ref skipped);
                return;
            }

            try
            {
                cache.RequireIntact(item.Id, new SourceLocation(cache.ObjectPath(item.Id)));
            }
            catch (MlopsException error)
            {
                errors.Add(error);
                return;
            }

            await remote.UploadAsync(key, cache.ObjectPath(item.Id), token);
            Interlocked.Increment(ref transferred);
            Interlocked.Add(ref bytes, item.Size);
        }, cancellation);
        return Finish(new TransferSummary(transferred, bytes, skipped, errors.Count), errors, "pushed");
    }

    public async Task<TransferSummary> PullAsync(IEnumerable<(ContentId Id, long Size)> objects, CancellationToken cancellation)
    {
        var transferred = 0;
        var skipped = 0;
        long bytes = 0;
        var errors = new ConcurrentBag<MlopsException>();
        await ForEachAsync(objects, async (item, token) =>
        {
            if (cache.Contains(item.Id) && cache.Verify(item.Id))
            {
                Interlocked.Increment(ref skipped);
                return;
            }

            cache.Quarantine(item.Id);
            var key = RemoteKeys.Object(item.Id);
            try
            {
                // A size of 0 may mean "not known" (fsck's refetch): the size is only a hint anyway.
                var size = item.Size > 0 ? item.Size : (long?)null;
                if (!await cache.AddVerifiedAsync(item.Id, size, (target, ct) => remote.DownloadToAsync(key, target, ct), token))
                {
                    errors.Add(await CorruptAsync(key, item.Id, token));
                    return;
                }
            }
            catch (InvalidDataException)
            {
                // The remote's own integrity check failed before ours could run: the same verdict.
                errors.Add(await CorruptAsync(key, item.Id, token));
                return;
            }
            catch (MlopsException error) when (error.Code == ErrorCodes.ObjectMissing)
            {
                errors.Add(new MlopsException(ErrorCodes.ObjectMissing, new SourceLocation(remote.Url), $"object {item.Id.Short} is not on remote '{remote.Name}' ({remote.Url})", "Push it from a machine that has it: 'mlops data push'"));
                return;
            }

            Interlocked.Increment(ref transferred);
            Interlocked.Add(ref bytes, item.Size);
        }, cancellation);
        return Finish(new TransferSummary(transferred, bytes, skipped, errors.Count), errors, "pulled");
    }

    /// <summary>Fetches one small object (a run-cache record) into memory; null if the remote lacks it.</summary>
    public async Task<byte[]?> FetchAsync(string key, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        return await remote.DownloadAsync(key, buffer, cancellation) ? buffer.ToArray() : null;
    }

    public Task UploadFileAsync(string key, string path, CancellationToken cancellation) => remote.UploadAsync(key, path, cancellation);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellation) => remote.ExistsAsync(key, cancellation);

    private async Task<MlopsException> CorruptAsync(string key, ContentId id, CancellationToken cancellation)
    {
        string removal;
        try
        {
            await remote.DeleteAsync(key, cancellation);
            removal = "it was deleted from the remote, so the next push replaces it";
        }
        catch (Exception exception) when (exception is MlopsException or IOException or UnauthorizedAccessException)
        {
            removal = "it could not be deleted from the remote (" + exception.Message + ")";
        }

        return new MlopsException(
            ErrorCodes.RemoteObjectCorrupt,
            new SourceLocation(remote.Url),
            $"object {id.Short} on remote '{remote.Name}' is corrupt (its bytes do not hash to its name) and was not used; {removal}",
            "Push it again from a machine whose cache has it intact: 'mlops data push'");
    }

    /// <summary>
    /// Per fan-out folder, the keys the remote has there, found by the remote's cheaper way if it has one
    /// (null: ask about each key). Started by the first object of the folder that needs it, so listings run
    /// alongside the uploads of folders already known rather than all before them.
    /// </summary>
    private Dictionary<string, Lazy<Task<IReadOnlySet<string>?>>> PresenceByFolder(List<(ContentId Id, long Size)> objects, CancellationToken cancellation) =>
        objects.GroupBy(item => RemoteKeys.ObjectFolder(item.Id), StringComparer.Ordinal).ToDictionary(
            folder => folder.Key,
            folder =>
            {
                var keys = folder.Select(item => RemoteKeys.Object(item.Id)).ToList();
                return new Lazy<Task<IReadOnlySet<string>?>>(() => remote.FindExistingAsync(keys, cancellation));
            },
            StringComparer.Ordinal);

    private TransferSummary Finish(TransferSummary summary, ConcurrentBag<MlopsException> errors, string verb)
    {
        log.Important($"{summary.Describe(verb)} ({remote.Name}: {remote.Url})");
        if (!errors.IsEmpty)
        {
            var ordered = errors.OrderBy(error => error.Message, StringComparer.Ordinal).ToList();
            foreach (var error in ordered.Skip(1))
            {
                log.Error(error);
            }

            throw ordered[0];
        }

        return summary;
    }

    private Task ForEachAsync(IEnumerable<(ContentId Id, long Size)> objects, Func<(ContentId Id, long Size), CancellationToken, Task> body, CancellationToken cancellation) =>
        Parallel.ForEachAsync(
            objects.DistinctBy(item => item.Id).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancellation },
            async (item, token) => await body(item, token));
}
