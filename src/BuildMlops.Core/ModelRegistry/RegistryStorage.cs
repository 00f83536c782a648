using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// The store under the registry: the default remote, or a folder in the repository. Everything the
/// registry writes goes through <see cref="CreateAsync"/> (create a key only if absent) or
/// <see cref="ReplaceAsync"/> (compare-and-swap on the entity tag), or uploads a file into a version folder
/// the registration has claimed. Before the first such write, the store is probed: a server that ignores
/// conditional writes gets a BM8007 warning and best-effort writes, checked by reading them back.
/// </summary>
internal sealed class RegistryStorage : IDisposable
{
    private readonly IConditionalRemoteStorage _remote;
    private readonly IMlopsLog _log;
    private readonly string? _localFolder;
    private bool? _conditionalWrites;

    /// <param name="localFolder">For the repository's own registry, its folder: absent until the first registration, and then simply empty.</param>
    public RegistryStorage(IConditionalRemoteStorage remote, IMlopsLog log, string? localFolder)
    {
        _remote = remote;
        _log = log;
        _localFolder = localFolder;
        if (remote is FolderRemote)
        {
            // Our own folder implementation: link(2) and flock(2) are the guarantee, there is nothing to probe.
            _conditionalWrites = true;
        }
    }

    /// <summary>Where the registry is, for messages: a folder path, or the remote's name and url.</summary>
    public string Description => _localFolder ?? $"remote '{_remote.Name}' ({_remote.Url}/{RegistryKeys.Root.TrimEnd('/')})";

    /// <summary>Whether creates and swaps are atomic on this store; null until the first write probed it.</summary>
    public bool? ConditionalWrites => _conditionalWrites;

    /// <summary>Where a key is, for an error's location: a path under the local folder, or the remote's url and the key.</summary>
    public SourceLocation Where(string key) => new(_localFolder is null ? $"{_remote.Url}/{key.TrimEnd('/')}" : Path.Combine(Path.GetDirectoryName(_localFolder)!, key.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar)));

    private bool LocalFolderMissing => _localFolder is not null && !Directory.Exists(_localFolder);

    public async Task<ETaggedObject?> ReadAsync(string key, CancellationToken cancellation)
    {
        try
        {
            return LocalFolderMissing ? null : await _remote.ReadWithETagAsync(key, cancellation);
        }
        catch (InvalidDataException exception)
        {
            throw RegistryJson.Corrupt(Where(key), exception.Message);
        }
    }

    /// <summary>Whether the key exists (a HEAD on S3, a file test on a folder).</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellation) =>
        !LocalFolderMissing && await _remote.ExistsAsync(key, cancellation);

    /// <summary>
    /// The highest <c>n</c> such that <paramref name="keyOf"/>(1) … (n) all exist, for keys claimed one after
    /// another from 1 (version claims, audit events): doubling, then halving, about 2·log₂(n) existence checks.
    /// </summary>
    public async Task<long> HighestAsync(Func<long, string> keyOf, CancellationToken cancellation)
    {
        if (!await ExistsAsync(keyOf(1), cancellation))
        {
            return 0;
        }

        long present = 1, absent = 2;
        while (await ExistsAsync(keyOf(absent), cancellation))
        {
            present = absent;
            absent *= 2;
        }

        while (absent - present > 1)
        {
            var middle = present + ((absent - present) / 2);
            if (await ExistsAsync(keyOf(middle), cancellation))
            {
                present = middle;
            }
            else
            {
                absent = middle;
            }
        }

        return present;
    }

    /// <summary>Streams an object into <paramref name="destination"/>; false if there is none.</summary>
    public async Task<bool> DownloadAsync(string key, Stream destination, CancellationToken cancellation)
    {
        try
        {
            return !LocalFolderMissing && await _remote.DownloadAsync(key, destination, cancellation);
        }
        catch (InvalidDataException exception)
        {
            // S3's own checksum of the transfer caught bytes that changed at rest.
            throw RegistryJson.Corrupt(Where(key), exception.Message);
        }
    }

    /// <summary>
    /// Before a registration's first read: a folder remote that does not exist yet is created, as a first push
    /// creates it (reading alone never creates it, so a mistyped path is an error there, not an empty registry).
    /// </summary>
    public void PrepareForWriting()
    {
        PrepareLocalFolder();
        if (_localFolder is null && _remote is FolderRemote folder && !Directory.Exists(folder.Url))
        {
            try
            {
                Directory.CreateDirectory(folder.Url);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new MlopsException(ErrorCodes.RemoteUnreachable, new SourceLocation(folder.Url), $"remote '{folder.Name}' at {folder.Url} cannot be reached: {exception.Message}", "Mount the folder, or fix the remote's url with 'mlops remote add'");
            }
        }
    }

    /// <summary>Uploads a local file under a key of a claimed version folder (no one else writes there).</summary>
    public Task UploadAsync(string key, string path, CancellationToken cancellation)
    {
        PrepareLocalFolder();
        return _remote.UploadAsync(key, path, cancellation);
    }

    /// <summary>
    /// Creates the key with these bytes if no object has it. The bytes must be unique to this writer (they
    /// carry a random id or a claim), so that reading them back proves who won.
    /// </summary>
    public async Task<bool> CreateAsync(string key, byte[] bytes, CancellationToken cancellation)
    {
        PrepareLocalFolder();
        await ProbeAsync(cancellation);
        if (_conditionalWrites == true)
        {
            if (await _remote.PutIfAbsentAsync(key, bytes, cancellation))
            {
                return true;
            }

            // A request retried after a lost answer finds its own first attempt: that is a win, not a loss.
            return (await _remote.ReadWithETagAsync(key, cancellation))?.Bytes.AsSpan().SequenceEqual(bytes) == true;
        }

        if (await _remote.ReadWithETagAsync(key, cancellation) is not null)
        {
            return false;
        }

        await PutAsync(key, bytes, cancellation);
        return await ReadsBackAsync(key, bytes, cancellation);
    }

    /// <summary>Replaces the object only if it still has <paramref name="etag"/>; best-effort (read, compare, write, read back) without conditional writes.</summary>
    public async Task<bool> ReplaceAsync(string key, byte[] bytes, string etag, CancellationToken cancellation)
    {
        PrepareLocalFolder();
        await ProbeAsync(cancellation);
        if (_conditionalWrites == true)
        {
            return await _remote.ReplaceIfMatchAsync(key, bytes, etag, cancellation);
        }

        if ((await _remote.ReadWithETagAsync(key, cancellation))?.ETag != etag)
        {
            return false;
        }

        await PutAsync(key, bytes, cancellation);
        return await ReadsBackAsync(key, bytes, cancellation);
    }

    /// <summary>Writes the bytes under the key whatever is there (an index entry that only saves work).</summary>
    public async Task PutAsync(string key, byte[] bytes, CancellationToken cancellation)
    {
        PrepareLocalFolder();
        var temporary = Path.Combine(Path.GetTempPath(), $"buildmlops-registry-{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellation);
            await _remote.UploadAsync(key, temporary, cancellation);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public void Dispose() => _remote.Dispose();

    /// <summary>
    /// Whether the server honours If-None-Match and If-Match: create a probe key twice (the second must be
    /// refused) and replace it with a wrong entity tag (which must be refused). A server that lets either
    /// through would let two registrations take one version number, or two promotions overwrite each
    /// other, without anyone noticing: say so, and fall back to writes checked by reading them back.
    /// </summary>
    private async Task ProbeAsync(CancellationToken cancellation)
    {
        if (_conditionalWrites is not null)
        {
            return;
        }

        var key = RegistryKeys.Probe();
        var ignored = new List<string>();
        try
        {
            if (!await _remote.PutIfAbsentAsync(key, "probe 1\n"u8.ToArray(), cancellation))
            {
                ignored.Add("a create with If-None-Match: * of a new key was refused");
            }

            if (await _remote.PutIfAbsentAsync(key, "probe 2\n"u8.ToArray(), cancellation))
            {
                ignored.Add("a second create with If-None-Match: * of the same key succeeded");
            }

            if (await _remote.ReplaceIfMatchAsync(key, "probe 3\n"u8.ToArray(), "\"00000000000000000000000000000000\"", cancellation))
            {
                ignored.Add("a replace with If-Match and a wrong entity tag succeeded");
            }
        }
        catch (MlopsException error) when (error.Code == ErrorCodes.BadRemote)
        {
            // A server that rejects the headers outright (501 Not Implemented) cannot do them either.
            ignored.Add($"the server rejected them ({error.Message})");
        }
        finally
        {
            await _remote.DeleteAsync(key, cancellation);
        }

        _conditionalWrites = ignored.Count == 0;
        if (ignored.Count > 0)
        {
            _log.Warning(
                ErrorCodes.ConditionalWritesIgnored,
                new SourceLocation(_remote.Url),
                $"remote '{_remote.Name}' ({_remote.Url}) does not honour conditional writes ({string.Join("; ", ignored)}), so the model registry cannot make its writes atomic there: two registrations of one model at the same moment may take the same version number and overwrite each other's files, and two alias moves at the same moment may overwrite each other. Each write is checked by reading it back, which narrows the window but does not close it. Use AWS S3 or a server that supports conditional writes, or register and promote from one place at a time");
        }
    }

    private async Task<bool> ReadsBackAsync(string key, byte[] bytes, CancellationToken cancellation) =>
        (await _remote.ReadWithETagAsync(key, cancellation))?.Bytes.AsSpan().SequenceEqual(bytes) == true;

    private void PrepareLocalFolder()
    {
        if (_localFolder is not null && !Directory.Exists(_localFolder))
        {
            Directory.CreateDirectory(_localFolder);
            // Model files do not belong in git: without a remote, the registry is this clone's alone.
            IO.AtomicFile.WriteAllText(Path.Combine(_localFolder, ".gitignore"), "# The local model registry (no default remote): not committed. See docs/model-registry.md.\n*\n");
        }
    }

    /// <summary>Hashes an object as it streams past, without keeping it.</summary>
    public async Task<string?> HashAsync(string key, CancellationToken cancellation)
    {
        await using var hashing = new HashingStream(Stream.Null);
        return await DownloadAsync(key, hashing, cancellation) ? hashing.Hash() : null;
    }
}
