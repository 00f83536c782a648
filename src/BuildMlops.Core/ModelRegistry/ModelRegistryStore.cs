using System.Text;
using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.IO;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;
using BuildMlops.Repository;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// The model registry: immutable, numbered versions of named models, movable aliases (production,
/// staging…) and an audit log of every alias move, kept on the repository's default remote (a folder or
/// S3) or, without one, in <c>.mlops/registry/</c>. Safe for many writers at once: version numbers and
/// audit sequence numbers are claimed by create-if-absent, aliases move by compare-and-swap, and a
/// version becomes visible only when its <c>version.json</c>, written last, exists. The layout, the
/// guarantees per store and the commands are in docs/model-registry.md.
/// </summary>
public sealed partial class ModelRegistryStore : IDisposable
{
    /// <summary>How many numbers a registration or audit event tries before giving up: far more than writers that could race.</summary>
    private const int MaxClaims = 1000;

    /// <summary>How often a promotion that lost a race to another alias move is retried on the new state.</summary>
    private const int MaxAliasAttempts = 5;

    private readonly RegistryStorage _storage;
    private readonly IMlopsLog _log;
    private readonly string _repositoryRoot;
    private string? _who;

    private ModelRegistryStore(RegistryStorage storage, IMlopsLog log, string repositoryRoot)
    {
        _storage = storage;
        _log = log;
        _repositoryRoot = repositoryRoot;
    }

    /// <summary>Where the registry is, for messages: the remote's name and url, or the local folder.</summary>
    public string Location => _storage.Description;

    /// <summary>
    /// Whether creates and compare-and-swaps are atomic on this store: true for folders and for S3 servers
    /// that honour conditional writes, false (best-effort, with a BM8007 warning) for servers that ignore
    /// them; null until the first write has probed the server.
    /// </summary>
    public bool? ConditionalWrites => _storage.ConditionalWrites;

    /// <summary>
    /// The registry of <paramref name="repository"/>: on its default remote when it has one (BM5007 if it is
    /// misconfigured or this process cannot open it), else in <c>.mlops/registry/</c> at the repository root.
    /// </summary>
    public static ModelRegistryStore Open(MlopsRepository repository, IMlopsLog log)
    {
        if (repository.Config.DefaultRemote is { } name)
        {
            var remote = RemoteRegistry.Open(repository, name);
            if (remote is not IConditionalRemoteStorage conditional)
            {
                remote.Dispose();
                throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"remote '{name}' ({remote.Url}) cannot hold a model registry: it has no conditional writes", "Make a folder or S3 remote the default remote");
            }

            return new ModelRegistryStore(new RegistryStorage(conditional, log, localFolder: null), log, repository.Root);
        }

        var local = new FolderRemote("local registry", repository.MlopsDirectory);
        return new ModelRegistryStore(new RegistryStorage(local, log, Path.Combine(repository.MlopsDirectory, "registry")), log, repository.Root);
    }

    /// <summary>
    /// The version that <paramref name="versionOrAlias"/> names: a number (<c>3</c>), an alias
    /// (<c>production</c>) or <c>latest</c>; null when there is no such model, version or alias. A damaged
    /// entry is BM8004, a malformed name BM8009.
    /// </summary>
    public async Task<RegisteredVersion?> ResolveAsync(string model, string versionOrAlias, CancellationToken ct)
    {
        RequireModel(model);
        if (versionOrAlias == RegistryNames.Latest)
        {
            for (var number = await HighestVersionAsync(model, ct); number > 0; number--)
            {
                if (await ReadVersionAsync(model, number, ct) is { } complete)
                {
                    return complete;
                }
            }

            return null;
        }

        if (RegistryNames.ParseVersion(versionOrAlias) is { } version)
        {
            return await ReadVersionAsync(model, version, ct);
        }

        if (!RegistryNames.IsValidAlias(versionOrAlias))
        {
            throw new MlopsException(ErrorCodes.BadRegistryName, _storage.Where(RegistryKeys.Model(model)), $"'{versionOrAlias}' is neither a version number, an alias nor 'latest'", "Name a version as 3, or an alias such as production");
        }

        if ((await ReadAliasesAsync(model, ct)).Table[versionOrAlias] is not { } alias)
        {
            return null;
        }

        return await ReadVersionAsync(model, alias.Version, ct)
            ?? throw RegistryJson.Corrupt(_storage.Where(RegistryKeys.Aliases(model)), $"alias '{versionOrAlias}' of {model} points at version {alias.Version}, which does not exist");
    }

    /// <summary>As <see cref="ResolveAsync"/>, but a missing model, version or alias is an error: BM8001, BM8002 or BM8003.</summary>
    public async Task<RegisteredVersion> RequireAsync(string model, string versionOrAlias, CancellationToken ct)
    {
        if (await ResolveAsync(model, versionOrAlias, ct) is { } found)
        {
            return found;
        }

        await RequireModelExistsAsync(model, ct);
        var where = _storage.Where(RegistryKeys.Model(model));
        var highest = await HighestVersionAsync(model, ct);
        if (versionOrAlias == RegistryNames.Latest || RegistryNames.ParseVersion(versionOrAlias) is not null)
        {
            var version = RegistryNames.ParseVersion(versionOrAlias);
            var what = version is { } number && number <= highest
                ? $"version {number} of {model} was claimed by a registration that has not finished (or never will), so it does not exist"
                : version is { } missing ? $"{model} has no version {missing} (versions: {(highest == 1 ? "1" : $"1 to {highest}")})" : $"{model} has no complete version";
            throw new MlopsException(ErrorCodes.ModelVersionNotFound, where, what, "See 'mlops registry list " + model + "'");
        }

        var aliases = (await ListAliasesAsync(model, ct)).Select(alias => alias.Alias).ToList();
        throw new MlopsException(ErrorCodes.ModelAliasNotFound, where, $"{model} has no alias '{versionOrAlias}' (aliases: {(aliases.Count == 0 ? "none" : string.Join(", ", aliases))})", $"Point it at a version first: mlops registry promote {model} <version> {versionOrAlias}");
    }

    /// <summary>The names of every registered model, sorted.</summary>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken ct) =>
        (await ReadCatalogAsync(ct)).Models.Where(RegistryNames.IsValidModel).ToList();

    /// <summary>
    /// Every complete version of a model, oldest first; also the numbers claimed by registrations that
    /// have not finished (or never will), and those whose version.json is damaged (each also a BM8004 warning).
    /// </summary>
    public async Task<VersionListing> ListVersionsAsync(string model, CancellationToken ct)
    {
        RequireModel(model);
        await RequireModelExistsAsync(model, ct);
        var versions = new List<RegisteredVersion>();
        var incomplete = new List<int>();
        var corrupt = new List<int>();
        var highest = await HighestVersionAsync(model, ct);
        for (var number = 1; number <= highest; number++)
        {
            try
            {
                if (await ReadVersionAsync(model, number, ct) is { } version)
                {
                    versions.Add(version);
                }
                else
                {
                    incomplete.Add(number);
                }
            }
            catch (MlopsException error) when (error.Code == ErrorCodes.RegistryEntryCorrupt)
            {
                // One damaged entry must not hide the others; using it is still an error.
                _log.Warning(error.Code, error.Location, error.Message);
                corrupt.Add(number);
            }
        }

        return new VersionListing(versions, incomplete, corrupt);
    }

    /// <summary>Every alias of a model and where it points, by name.</summary>
    public async Task<IReadOnlyList<AliasState>> ListAliasesAsync(string model, CancellationToken ct)
    {
        RequireModel(model);
        return [.. (await ReadAliasesAsync(model, ct)).Table.Aliases.Values];
    }

    /// <summary>
    /// Downloads every file of a version (model.zip, schema.json, metrics.json, predictions.csv, gates.json,
    /// the lock file, card.md, lineage.json) and its version.json into <paramref name="targetDirectory"/>,
    /// each verified against its recorded SHA-256 before any is put in place (BM8004 otherwise).
    /// Returns the directory's full path.
    /// </summary>
    public async Task<string> DownloadModelAsync(RegisteredVersion v, string targetDirectory, CancellationToken ct)
    {
        var target = Path.GetFullPath(targetDirectory);
        Directory.CreateDirectory(target);
        var temporaries = new List<(string Temporary, string Destination)>();
        try
        {
            foreach (var file in v.Files.Values.OrderBy(file => file.Name, StringComparer.Ordinal))
            {
                var destination = Path.Combine(target, file.Name);
                var temporary = AtomicFile.TemporaryPathFor(destination);
                temporaries.Add((temporary, destination));
                string hash;
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                await using (var hashing = new HashingStream(stream))
                {
                    if (!await _storage.DownloadAsync(Key(v, file.Name), hashing, ct))
                    {
                        throw Damaged(v, file, "is missing");
                    }

                    hash = hashing.Hash();
                }

                if (hash != file.Sha256)
                {
                    throw Damaged(v, file, $"does not hash as recorded (sha256 {hash[..12]}, recorded {file.Sha256[..12]})");
                }
            }

            // All verified: only now does anything land under its real name.
            foreach (var (temporary, destination) in temporaries)
            {
                AtomicFile.Commit(temporary, destination);
            }

            AtomicFile.WriteAllText(Path.Combine(target, RegistryKeys.VersionManifest), v.ToJson());
            _log.Important($"downloaded {v.Model} version {v.Version} ({v.Files.Count} files, verified) to {target}");
            return target;
        }
        finally
        {
            foreach (var (temporary, _) in temporaries)
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The version's model card (card.md), verified against its recorded hash.</summary>
    public async Task<string> ReadCardAsync(RegisteredVersion v, CancellationToken ct) =>
        Encoding.UTF8.GetString(await ReadVerifiedAsync(v, RegisteredFile.Card, ct));

    /// <summary>The version's lineage (lineage.json), verified against its recorded hash.</summary>
    public async Task<Lineage> ReadLineageAsync(RegisteredVersion v, CancellationToken ct) =>
        Lineage.Parse(await ReadVerifiedAsync(v, RegisteredFile.Lineage, ct), _storage.Where(Key(v, RegisteredFile.Lineage)));

    /// <summary>Checks that every file of the version is there and hashes as its version.json records; BM8004 otherwise.</summary>
    public async Task VerifyAsync(RegisteredVersion v, CancellationToken ct)
    {
        foreach (var file in v.Files.Values)
        {
            var hash = await _storage.HashAsync(Key(v, file.Name), ct);
            if (hash is null)
            {
                throw Damaged(v, file, "is missing");
            }

            if (hash != file.Sha256)
            {
                throw Damaged(v, file, $"does not hash as recorded (sha256 {hash[..12]}, recorded {file.Sha256[..12]})");
            }
        }
    }

    public void Dispose() => _storage.Dispose();

    private static string Key(RegisteredVersion v, string file) => RegistryKeys.VersionFile(v.Model, v.Version, file);

    private MlopsException Damaged(RegisteredVersion v, RegisteredFile file, string what) =>
        RegistryJson.Corrupt(_storage.Where(Key(v, file.Name)), $"{file.Name} of {v.Model} version {v.Version} {what}");

    private MlopsException Conflict(string model, string alias) =>
        new(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.Aliases(model)), $"'{alias}' of {model} was moved by someone else at the same moment, so this move did not happen", $"See 'mlops registry history {model}', then try again if it is still wanted");

    private void RequireModel(string model) => RegistryNames.RequireModel(model, _storage.Where(RegistryKeys.Root));

    private async Task RequireModelExistsAsync(string model, CancellationToken ct)
    {
        // Version numbers are claimed from 1, before anything else of a model is written.
        if (await _storage.ExistsAsync(RegistryKeys.VersionFile(model, 1, RegistryKeys.Claim), ct))
        {
            return;
        }

        var models = await ListModelsAsync(ct);
        throw new MlopsException(ErrorCodes.ModelNotRegistered, _storage.Where(RegistryKeys.Model(model)), $"no model named '{model}' is registered in {Location} (models: {(models.Count == 0 ? "none" : string.Join(", ", models))})", "Register it first: mlops registry register <project>");
    }

    private async Task<int> HighestVersionAsync(string model, CancellationToken ct) =>
        (int)await _storage.HighestAsync(number => RegistryKeys.VersionFile(model, (int)number, RegistryKeys.Claim), ct);

    private Task<long> HighestEventAsync(string model, CancellationToken ct) =>
        _storage.HighestAsync(sequence => RegistryKeys.AuditEvent(model, sequence), ct);

    /// <summary>The version's record, or null when it has none yet (never claimed, or claimed and unfinished).</summary>
    private async Task<RegisteredVersion?> ReadVersionAsync(string model, int version, CancellationToken ct)
    {
        var key = RegistryKeys.VersionFile(model, version, RegistryKeys.VersionManifest);
        return await _storage.ReadAsync(key, ct) is { } found ? RegisteredVersion.Parse(found.Bytes, model, version, _storage.Where(key)) : null;
    }

    /// <summary>The model's alias table and its entity tag; an empty table and no tag when no alias was ever set.</summary>
    private async Task<(AliasTable Table, string? ETag)> ReadAliasesAsync(string model, CancellationToken ct)
    {
        var key = RegistryKeys.Aliases(model);
        return await _storage.ReadAsync(key, ct) is { } found ? (AliasTable.Parse(found.Bytes, model, _storage.Where(key)), found.ETag) : (AliasTable.Empty(model), null);
    }

    private async Task<(IReadOnlyList<string> Models, string? ETag)> ReadCatalogAsync(CancellationToken ct) =>
        await _storage.ReadAsync(RegistryKeys.Catalog, ct) is { } found ? (ModelCatalog.Parse(found.Bytes, _storage.Where(RegistryKeys.Catalog)), found.ETag) : ([], null);

    private async Task<AuditEvent?> ReadEventAsync(string model, long sequence, CancellationToken ct)
    {
        var key = RegistryKeys.AuditEvent(model, sequence);
        return await _storage.ReadAsync(key, ct) is { } found ? AuditEvent.Parse(found.Bytes, model, sequence, _storage.Where(key)) : null;
    }

    private async Task<byte[]> ReadVerifiedAsync(RegisteredVersion v, string name, CancellationToken ct)
    {
        var file = v.Files.TryGetValue(name, out var registered) ? registered : throw RegistryJson.Corrupt(_storage.Where(Key(v, RegistryKeys.VersionManifest)), $"version.json of {v.Model} version {v.Version} records no {name}");
        using var buffer = new MemoryStream();
        if (!await _storage.DownloadAsync(Key(v, name), buffer, ct))
        {
            throw Damaged(v, file, "is missing");
        }

        var bytes = buffer.ToArray();
        var hash = HashData.ContentHash.OfBytes(bytes);
        return hash == file.Sha256 ? bytes : throw Damaged(v, file, $"does not hash as recorded (sha256 {hash[..12]}, recorded {file.Sha256[..12]})");
    }

}
