using System.Text;
using System.Text.Json;
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
public sealed class ModelRegistryStore : IDisposable
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
    /// Stores a new version of <see cref="RegistrationInput.Model"/>, or returns the version that already
    /// holds the same model.zip, metrics.json and lock file.
    /// </summary>
    public async Task<RegisteredVersion> RegisterAsync(RegistrationInput input, CancellationToken ct) =>
        (await RegisterWithOutcomeAsync(input, ct)).Version;

    /// <summary>As <see cref="RegisterAsync"/>, and says whether a new version was created.</summary>
    public async Task<RegistrationOutcome> RegisterWithOutcomeAsync(RegistrationInput input, CancellationToken ct)
    {
        var model = RegistryNames.RequireModel(input.Model, new SourceLocation(input.ProjectFile));
        var staging = Directory.CreateTempSubdirectory("buildmlops-register-");
        try
        {
            // A snapshot: a build finishing during the upload must not mix its files into this version.
            var staged = Stage(input, staging.FullName);
            _storage.PrepareForWriting();
            if (await FindByFingerprintAsync(model, input.Fingerprint, ct) is { } existing)
            {
                _log.Important($"{model} version {existing.Version} already holds these bytes (model.zip {existing.ModelSha256[..12]}); nothing registered ({Location})");
                return new RegistrationOutcome(existing, Created: false);
            }

            await EnsureCatalogedAsync(model, ct);
            var version = await ClaimVersionAsync(model, input, ct);
            var record = await UploadVersionAsync(model, version, input, staged, staging.FullName, ct);
            if (!await _storage.CreateAsync(RegistryKeys.VersionFile(model, version, RegistryKeys.VersionManifest), Encoding.UTF8.GetBytes(record.ToJson()), ct))
            {
                throw new MlopsException(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.VersionFile(model, version, RegistryKeys.VersionManifest)), $"version {version} of {model} was completed by another writer although this registration had claimed it", "The store does not make creates atomic (see warning BM8007); register again, and register from one place at a time");
            }

            await WriteIndexAsync(model, input.Fingerprint, version, ct);
            _log.Important($"registered {model} version {version} (model.zip {record.ModelSha256[..12]}, gates {(record.Gates.Passed ? "passed" : "failed")}) in {Location}");
            return new RegistrationOutcome(record, Created: true);
        }
        finally
        {
            staging.Delete(recursive: true);
        }
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
    /// Points <paramref name="alias"/> at a version, after checking every file of the version still hashes as
    /// recorded (BM8004 otherwise). A version whose gates failed is refused (BM8005) unless
    /// <paramref name="force"/> is set and a reason given; the audit log records the move, the reason and
    /// the override. When another move of the alias wins the race, the promotion is retried on the new state.
    /// </summary>
    public async Task<AliasMove> PromoteAsync(string model, string versionOrAlias, string alias, string? reason, bool force, CancellationToken ct)
    {
        RequireModel(model);
        RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model)));
        var target = await RequireAsync(model, versionOrAlias, ct);
        var why = reason?.Trim() ?? "";
        if (!target.Gates.Passed)
        {
            var where = _storage.Where(RegistryKeys.VersionFile(model, target.Version, RegistryKeys.VersionManifest));
            if (!force)
            {
                throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"version {target.Version} of {model} failed its gates ({string.Join("; ", target.Gates.DescribeFailures())}), so it is not promoted to '{alias}'", "Promote a version whose gates passed, or override with --force and a --reason, which the audit log records");
            }

            if (why.Length == 0)
            {
                throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"promoting version {target.Version} of {model}, whose gates failed, needs a reason", "Say why with --reason \"...\"; it is recorded in the audit log");
            }
        }

        await VerifyAsync(target, ct);
        return await MoveAsync(model, alias, target, AuditEvent.Promote, why, forced: !target.Gates.Passed, expectedEvent: null, ct);
    }

    /// <summary>
    /// Moves <paramref name="alias"/> back to the version it pointed at before its last move (as the audit
    /// log records it). BM8003 for an unknown alias, BM8005 when it has never moved or no reason is given,
    /// BM8008 when another move of the alias happens at the same moment (nothing is retried: the alias's
    /// "last move" has changed, so the caller should look again).
    /// </summary>
    public async Task<AliasMove> RollbackAsync(string model, string alias, string reason, CancellationToken ct)
    {
        RequireModel(model);
        RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model)));
        if ((await ReadAliasesAsync(model, ct)).Table[alias] is not { } current)
        {
            await RequireAsync(model, alias, ct); // BM8001 or BM8003, with what there is
            throw new InvalidOperationException("unreachable: the alias was found after all");
        }

        var where = _storage.Where(RegistryKeys.Aliases(model));
        if (reason.Trim().Length == 0)
        {
            throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"rolling back '{alias}' of {model} needs a reason", "Say why with --reason \"...\"; it is recorded in the audit log");
        }

        var last = await ReadEventAsync(model, current.Event, ct)
            ?? throw RegistryJson.Corrupt(where, $"alias '{alias}' of {model} was moved by audit event {current.Event}, which is not in the audit log");
        if (last.From is not { } previous)
        {
            throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"'{alias}' of {model} has nothing to roll back to: event {last.Sequence} created it at version {last.To}, and it has not moved since", "Promote the version you want instead: mlops registry promote");
        }

        var target = await RequireAsync(model, previous.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        await VerifyAsync(target, ct);
        return await MoveAsync(model, alias, target, AuditEvent.Rollback, reason.Trim(), forced: false, expectedEvent: current.Event, ct);
    }

    /// <summary>
    /// The audit log of a model (or of one alias), oldest first, each event marked whether it took effect.
    /// BM8001 for an unknown model; BM8003 when the alias has neither a state nor an event.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(string model, string? alias, CancellationToken ct)
    {
        RequireModel(model);
        await RequireModelExistsAsync(model, ct);
        var events = new Dictionary<long, AuditEvent>();
        var last = await HighestEventAsync(model, ct);
        for (var sequence = 1L; sequence <= last; sequence++)
        {
            if (await ReadEventAsync(model, sequence, ct) is { } found)
            {
                events[sequence] = found;
            }
        }

        // An event took effect if it is on the chain from an alias's current state back through previous events.
        var applied = new HashSet<long>();
        foreach (var state in await ListAliasesAsync(model, ct))
        {
            for (long? sequence = state.Event; sequence is { } current && events.TryGetValue(current, out var step) && applied.Add(current); sequence = step.PreviousEvent)
            {
            }
        }

        var history = events.Values
            .Where(found => alias is null || found.Alias == alias)
            .OrderBy(found => found.Sequence)
            .Select(found => found with { Applied = applied.Contains(found.Sequence) })
            .ToList();
        if (alias is not null && history.Count == 0)
        {
            await RequireAsync(model, RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model))), ct); // BM8003 with the aliases there are
        }

        return history;
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

    /// <summary>Adds the model to models.json unless it is there, by compare-and-swap against other registrations.</summary>
    private async Task EnsureCatalogedAsync(string model, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxClaims; attempt++)
        {
            var (models, etag) = await ReadCatalogAsync(ct);
            if (models.Contains(model))
            {
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(ModelCatalog.ToJson([.. models, model]));
            if (etag is null ? await _storage.CreateAsync(RegistryKeys.Catalog, bytes, ct) : await _storage.ReplaceAsync(RegistryKeys.Catalog, bytes, etag, ct))
            {
                return;
            }
        }

        throw new MlopsException(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.Catalog), $"{model} could not be added to the registry's list of models", "Try again");
    }

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

    /// <summary>
    /// Copies the input files into <paramref name="staging"/> and checks each still hashes as when it was
    /// gathered: BM8006 if a build rewrote one in between.
    /// </summary>
    private static Dictionary<string, RegisteredFile> Stage(RegistrationInput input, string staging)
    {
        var staged = new Dictionary<string, RegisteredFile>(StringComparer.Ordinal);
        foreach (var (name, file) in input.Files)
        {
            var copy = Path.Combine(staging, name);
            File.Copy(file.Path, copy);
            var hash = HashData.ContentHash.OfFile(copy);
            if (hash != file.Sha256)
            {
                throw new MlopsException(ErrorCodes.NotRegistrable, new SourceLocation(file.Path), $"{name} changed while it was being registered (sha256 {hash[..12]}, gathered as {file.Sha256[..12]})", "Wait for the build to finish, then register again");
            }

            staged[name] = new RegisteredFile(name, hash, new FileInfo(copy).Length);
        }

        return staged;
    }

    /// <summary>The existing version with these bytes, found through the index; null if none (or the index is stale).</summary>
    private async Task<RegisteredVersion?> FindByFingerprintAsync(string model, string fingerprint, CancellationToken ct)
    {
        if (await _storage.ReadAsync(RegistryKeys.Index(model, fingerprint), ct) is not { } entry)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(entry.Bytes);
            var version = document.RootElement.GetProperty("version").GetInt32();
            var found = await ReadVersionAsync(model, version, ct);
            return found?.Fingerprint == fingerprint ? found : null;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or MlopsException)
        {
            // The index only saves a duplicate; a damaged entry (or version) means registering anew.
            return null;
        }
    }

    private async Task WriteIndexAsync(string model, string fingerprint, int version, CancellationToken ct)
    {
        var key = RegistryKeys.Index(model, fingerprint);
        var bytes = Encoding.UTF8.GetBytes(DeterministicJson.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteString("fingerprint", fingerprint);
            writer.WriteNumber("version", version);
            writer.WriteEndObject();
        }));
        if (!await _storage.CreateAsync(key, bytes, ct) && await FindByFingerprintAsync(model, fingerprint, ct) is null)
        {
            await _storage.PutAsync(key, bytes, ct); // it named a version that is gone or damaged
        }
    }

    /// <summary>
    /// Claims the next version number: the first number above every folder in versions/ whose claim.json
    /// this registration creates. Claimed numbers are never reused, even if their registration never
    /// finishes: a reader cannot tell a dead registration from a slow one.
    /// </summary>
    private async Task<int> ClaimVersionAsync(string model, RegistrationInput input, CancellationToken ct)
    {
        var version = await HighestVersionAsync(model, ct) + 1;
        for (var attempt = 0; attempt < MaxClaims; attempt++, version++)
        {
            var claim = Encoding.UTF8.GetBytes(DeterministicJson.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("model", model);
                writer.WriteNumber("version", version);
                writer.WriteString("id", Guid.NewGuid().ToString("N"));
                writer.WriteString("claimed_at", RegistryJson.Time(DateTimeOffset.UtcNow));
                writer.WriteString("claimed_by", input.Lineage.RegisteredBy);
                writer.WriteString("machine", Environment.MachineName);
                writer.WriteString("fingerprint", input.Fingerprint);
                writer.WriteEndObject();
            }));
            // A version.json without its claim means a claim was deleted by hand: never write into a finished version.
            if (await _storage.CreateAsync(RegistryKeys.VersionFile(model, version, RegistryKeys.Claim), claim, ct)
                && !await _storage.ExistsAsync(RegistryKeys.VersionFile(model, version, RegistryKeys.VersionManifest), ct))
            {
                return version;
            }
        }

        throw new MlopsException(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.Versions(model)), $"no free version number of {model} could be claimed in {MaxClaims} tries", "Try again");
    }

    /// <summary>Writes the card and lineage, uploads every file into the claimed folder, and returns the record to commit.</summary>
    private async Task<RegisteredVersion> UploadVersionAsync(string model, int version, RegistrationInput input, Dictionary<string, RegisteredFile> staged, string staging, CancellationToken ct)
    {
        var lineage = input.Lineage;
        var lineagePath = Path.Combine(staging, RegisteredFile.Lineage);
        await File.WriteAllTextAsync(lineagePath, lineage.ToJson(model), ct);
        staged[RegisteredFile.Lineage] = new RegisteredFile(RegisteredFile.Lineage, HashData.ContentHash.OfFile(lineagePath), new FileInfo(lineagePath).Length);

        var metricsBytes = await File.ReadAllBytesAsync(Path.Combine(staging, RegisteredFile.Metrics), ct);
        var (metrics, intervals) = RegistryJson.Parse(metricsBytes, new SourceLocation(input.Files[RegisteredFile.Metrics].Path), "metrics.json", root =>
            (RegisteredVersion.ReadMetrics(root), MetricInterval.Read(root)));
        var record = new RegisteredVersion
        {
            Model = model,
            Version = version,
            RegisteredAt = lineage.RegisteredAt,
            RegisteredBy = lineage.RegisteredBy,
            Fingerprint = input.Fingerprint,
            Task = input.Task,
            Label = input.Label,
            PositiveClass = input.PositiveClass,
            GitCommit = lineage.GitCommit,
            GitDirty = lineage.GitDirty,
            ImageDigest = lineage.ImageDigest,
            MetricValues = metrics,
            Gates = input.Gates,
            Files = staged,
        };

        var schemaPath = Path.Combine(staging, RegisteredFile.Schema);
        var schema = File.Exists(schemaPath) ? SchemaProfile.Parse(await File.ReadAllBytesAsync(schemaPath, ct), new SourceLocation(input.Files[RegisteredFile.Schema].Path)) : null;
        var predictionsPath = Path.Combine(staging, RegisteredFile.Predictions);
        var predictions = File.Exists(predictionsPath) ? await File.ReadAllTextAsync(predictionsPath, ct) : null;
        var cardPath = Path.Combine(staging, RegisteredFile.Card);
        await File.WriteAllTextAsync(cardPath, ModelCardWriter.Write(record, lineage, schema, intervals, predictions), ct);
        staged[RegisteredFile.Card] = new RegisteredFile(RegisteredFile.Card, HashData.ContentHash.OfFile(cardPath), new FileInfo(cardPath).Length);

        foreach (var file in staged.Values.OrderBy(file => file.Name, StringComparer.Ordinal))
        {
            await _storage.UploadAsync(RegistryKeys.VersionFile(model, version, file.Name), Path.Combine(staging, file.Name), ct);
        }

        return record with { Files = new Dictionary<string, RegisteredFile>(staged, StringComparer.Ordinal) };
    }

    /// <summary>
    /// One alias move: append the audit event (the intent), then swap the alias table from the state read
    /// to one with the alias moved. When the swap loses because another alias of the model moved, the same
    /// event is tried again on the new table; when this alias itself moved, a promotion decides again from
    /// its new state (the first event stays in the log, not applied), and a rollback
    /// (<paramref name="expectedEvent"/> set) stops with BM8008, since its target depended on the old state.
    /// </summary>
    private async Task<AliasMove> MoveAsync(string model, string alias, RegisteredVersion target, string action, string why, bool forced, long? expectedEvent, CancellationToken ct)
    {
        var who = _who ??= GitInfo.Who(_repositoryRoot);
        AuditEvent? recorded = null;
        for (var attempt = 1; attempt <= MaxAliasAttempts; attempt++)
        {
            var (table, etag) = await ReadAliasesAsync(model, ct);
            var current = table[alias];
            if (recorded is null || current?.Event != recorded.PreviousEvent)
            {
                if (expectedEvent is not null && current?.Event != expectedEvent)
                {
                    throw Conflict(model, alias);
                }

                if (current?.Version == target.Version)
                {
                    _log.Important($"'{alias}' of {model} already points at version {target.Version}; nothing moved");
                    return new AliasMove(model, alias, target.Version, target.Version, null);
                }

                if (recorded is not null)
                {
                    _log.Message($"'{alias}' of {model} was moved by someone else at the same moment; deciding again on its new state");
                }

                recorded = await AppendEventAsync(model, sequence => new AuditEvent
                {
                    Sequence = sequence,
                    Id = Guid.NewGuid().ToString("N"),
                    Model = model,
                    Alias = alias,
                    Action = action,
                    From = current?.Version,
                    To = target.Version,
                    PreviousEvent = current?.Event,
                    Who = who,
                    When = DateTimeOffset.UtcNow,
                    Why = why,
                    Forced = forced,
                    GatesPassed = target.Gates.Passed,
                    Machine = Environment.MachineName,
                }, ct);
            }

            var next = Encoding.UTF8.GetBytes(table.With(new AliasState { Model = model, Alias = alias, Version = target.Version, Event = recorded.Sequence, MovedAt = recorded.When, MovedBy = who }).ToJson());
            var key = RegistryKeys.Aliases(model);
            if (etag is null ? await _storage.CreateAsync(key, next, ct) : await _storage.ReplaceAsync(key, next, etag, ct))
            {
                var from = current is null ? "" : $"from version {current.Version} ";
                _log.Important($"{(action == AuditEvent.Rollback ? "rolled back" : "moved")} '{alias}' of {model} {from}to version {target.Version}{(forced ? " (forced past failed gates)" : "")}; audit event {recorded.Sequence} ({Location})");
                return new AliasMove(model, alias, current?.Version, target.Version, recorded with { Applied = true });
            }
        }

        throw Conflict(model, alias);
    }

    /// <summary>Writes an audit event under the next free sequence number.</summary>
    private async Task<AuditEvent> AppendEventAsync(string model, Func<long, AuditEvent> create, CancellationToken ct)
    {
        var sequence = await HighestEventAsync(model, ct) + 1;
        for (var attempt = 0; attempt < MaxClaims; attempt++, sequence++)
        {
            var candidate = create(sequence);
            if (await _storage.CreateAsync(RegistryKeys.AuditEvent(model, sequence), Encoding.UTF8.GetBytes(candidate.ToJson()), ct))
            {
                return candidate;
            }
        }

        throw new MlopsException(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.Audit(model)), $"no free audit sequence number of {model} could be claimed in {MaxClaims} tries", "Try again");
    }
}

/// <summary>A registration's result: the version, and whether it is new (false: the same bytes were registered before).</summary>
public sealed record RegistrationOutcome(RegisteredVersion Version, bool Created);

/// <summary>A model's versions: the complete ones oldest first, and the numbers claimed but never completed or damaged.</summary>
public sealed record VersionListing(IReadOnlyList<RegisteredVersion> Versions, IReadOnlyList<int> Incomplete, IReadOnlyList<int> Corrupt);
