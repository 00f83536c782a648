using System.Text;
using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

// Registration: snapshot the inputs, find the same bytes, claim a number, upload, commit with version.json.
public sealed partial class ModelRegistryStore
{
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
}
