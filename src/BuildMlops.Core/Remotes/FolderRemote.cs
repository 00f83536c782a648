using BuildMlops.Diagnostics;

namespace BuildMlops.Remotes;

/// <summary>
/// A remote that is a folder: a network share, a mounted bucket, or another disk. Uploads are a copy
/// to a temporary file in the target folder, then a rename, so a killed push leaves no half object.
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
