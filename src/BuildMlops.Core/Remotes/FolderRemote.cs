using BuildMlops.Diagnostics;

namespace BuildMlops.Remotes;

/// <summary>
/// A remote that is a folder: a network share, a mounted bucket, or another disk. Uploads are a copy
/// to a temporary file in the target folder, then a rename, so a killed push leaves no half object; the
/// next push into that folder removes such leftovers once they are clearly dead.
/// </summary>
public sealed partial class FolderRemote(string name, string root) : IRemoteStorage
{
    public string Name { get; } = name;

    public string Url { get; } = root;

    /// <summary>False when the folder itself is missing: a first push creates it.</summary>
    public Task<bool> ExistsAsync(string key, CancellationToken cancellation) => Task.FromResult(File.Exists(PathOf(key)));

    public async Task UploadAsync(string key, string localPath, CancellationToken cancellation)
    {
        EnsureRoot();
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = IO.AtomicFile.TemporaryPathFor(target);
        try
        {
            await using (var source = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true))
            await using (var destination = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, useAsync: true))
            {
                await source.CopyToAsync(destination, cancellation);
                await destination.FlushAsync(cancellation);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        SweepStaleTemporaries(Path.GetDirectoryName(target)!);
    }

    /// <summary>
    /// A temporary file untouched this long is a push that was killed: a running copy writes to its file
    /// all the time, so its modification time stays fresh however large the object or slow the share.
    /// </summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> sweptFolders = new(StringComparer.Ordinal);

    /// <summary>
    /// Removes what killed pushes left in <paramref name="folder"/> (once per folder and remote instance, so a push
    /// of many objects lists each folder once). Another machine may be pushing into the same folder right now,
    /// which is why only temporaries older than <see cref="StaleAfter"/> go.
    /// </summary>
    private void SweepStaleTemporaries(string folder)
    {
        if (!sweptFolders.TryAdd(folder, true))
        {
            return;
        }

        var before = DateTime.UtcNow - StaleAfter;
        foreach (var leftover in Directory.EnumerateFiles(folder, ".*.tmp").Where(IO.AtomicFile.IsTemporary))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(leftover) < before)
                {
                    File.Delete(leftover);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Someone else's file we cannot remove, or gone already: the push itself succeeded.
            }
        }
    }

    public async Task<bool> DownloadAsync(string key, Stream destination, CancellationToken cancellation)
    {
        RequireRoot();
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return false;
        }

        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true);
        await source.CopyToAsync(destination, cancellation);
        return true;
    }

    public Task DeleteAsync(string key, CancellationToken cancellation)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }

    /// <summary>
    /// Reading never creates the folder: a mistyped path or an unmounted share is an error here, not an
    /// empty remote (and pushes would otherwise land on the local disk under the mount point).
    /// </summary>
    private void RequireRoot()
    {
        if (!Directory.Exists(Url))
        {
            throw new MlopsException(ErrorCodes.RemoteUnreachable, new SourceLocation(Url), $"remote '{Name}' at {Url} does not exist", "Mount the share, fix the url with 'mlops remote add', or push once to create it");
        }
    }

    private string PathOf(string key) => Path.Combine(Url, key.Replace('/', Path.DirectorySeparatorChar));

    private void EnsureRoot()
    {
        if (!Directory.Exists(Url))
        {
            try
            {
                Directory.CreateDirectory(Url);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new MlopsException(ErrorCodes.RemoteUnreachable, new SourceLocation(Url), $"remote '{Name}' at {Url} cannot be reached: {exception.Message}", "Mount the folder, or fix the remote's url with 'mlops remote add'");
            }
        }
    }
}
