using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Pipeline;
using BuildMlops.Pointers;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// What a registration stores, gathered from a built model project: its output files (model.zip,
/// metrics.json, schema.json, predictions.csv, gates.json) and lock file, each with the hash it had when
/// gathered, and the version's lineage. Gathering checks that the outputs are the ones the lock file
/// records, so a version never pairs a model with someone else's metrics or settings.
/// </summary>
public sealed class RegistrationInput
{
    /// <summary>The MSBuild property that names the model in the registry.</summary>
    public const string ModelNameProperty = "MlopsModelName";

    /// <summary>The build outputs registered with each version, besides the lock file; those marked required must exist.</summary>
    private static readonly (string Name, bool Required)[] Outputs =
    [
        (StepOutputs.Model, true), (StepOutputs.Metrics, true), (StepOutputs.Gates, true), (StepOutputs.Schema, false), (StepOutputs.Predictions, false),
    ];

    public required string Model { get; init; }

    /// <summary>The project file, for messages.</summary>
    public required string ProjectFile { get; init; }

    /// <summary>The repository the project is in: its root decides where git is asked and where a local registry lives.</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>Each file to store, by its name in the version (model.zip, metrics.json, mlops.lock.json, …), with its hash when gathered.</summary>
    public required IReadOnlyDictionary<string, InputFile> Files { get; init; }

    public required Lineage Lineage { get; init; }

    public required GateSummary Gates { get; init; }

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>regression</c>.</summary>
    public required string Task { get; init; }

    public required string Label { get; init; }

    public string? PositiveClass { get; init; }

    /// <summary>What identifies the registration's bytes: model.zip, metrics.json and the lock file.</summary>
    public string Fingerprint => RegisteredVersion.FingerprintOf(Files[RegisteredFile.Model].Sha256, Files[RegisteredFile.Metrics].Sha256, Files[RegisteredFile.LockFile].Sha256);

    /// <summary>
    /// Gathers a built project's outputs and lineage. The model name is <c>MlopsModelName</c> from the spec
    /// when set, else the project file's name in lower case (or <paramref name="modelName"/>, when given).
    /// BM8006 when an output is missing or differs from what the lock file records; BM8009 for a bad name.
    /// </summary>
    public static RegistrationInput FromProject(ModelSpec spec, RawSpec raw, string? modelName = null)
    {
        var where = new SourceLocation(spec.ProjectFile);
        var model = RegistryNames.RequireModel(
            modelName is { Length: > 0 } ? modelName : raw.Property(ModelNameProperty) is { Length: > 0 } property ? property : spec.ProjectName.ToLowerInvariant(),
            where);
        if (!File.Exists(spec.LockFile))
        {
            throw NotBuilt(spec, $"{Path.GetFileName(spec.LockFile)} is missing");
        }

        var lockFile = LockFile.Load(spec.LockFile);
        var files = new Dictionary<string, InputFile>(StringComparer.Ordinal)
        {
            [RegisteredFile.LockFile] = InputFile.Of(spec.LockFile),
        };
        foreach (var (name, required) in Outputs)
        {
            var path = spec.PathOf(name);
            if (File.Exists(path))
            {
                files[name] = InputFile.Of(path);
            }
            else if (required)
            {
                throw NotBuilt(spec, $"{spec.Relative(path)} is missing");
            }
        }

        CheckAgainstLockFile(spec, lockFile, files);
        var metricsBytes = File.ReadAllBytes(files[RegisteredFile.Metrics].Path);
        var gates = GateSummary.Read(files[RegisteredFile.Gates].Path);
        CheckGatesMatchMetrics(spec, gates, metricsBytes);

        var schema = files.TryGetValue(RegisteredFile.Schema, out var schemaFile) ? SchemaProfile.Parse(File.ReadAllBytes(schemaFile.Path), new SourceLocation(schemaFile.Path)) : null;
        var repository = MlopsRepository.Discover(spec.ProjectDirectory);
        var train = lockFile.Stage(StepName.Train)!;
        var git = GitInfo.State(spec.ProjectDirectory);
        var lineage = new Lineage
        {
            Project = Path.GetFileName(spec.ProjectFile),
            GitCommit = git?.Commit,
            GitDirty = git?.Dirty,
            Data = DataLineage(spec, repository, train),
            Rows = schema?.Rows,
            Parameters = DepsWithPrefix(train, "param:"),
            Trainer = train.Deps.GetValueOrDefault("param:" + SettingNames.Trainer, spec.Trainer),
            Hyperparameters = DepsWithPrefix(train, "hyperparameter:"),
            Columns = DepsWithPrefix(train, "column:"),
            Versions = DepsWithPrefix(train, "version:"),
            RegisteredWith = ToolVersions.BuildMlops,
            ImageDigest = ImageDigest(spec),
            RegisteredAt = DateTimeOffset.UtcNow,
            RegisteredBy = GitInfo.Who(spec.ProjectDirectory),
            Machine = Environment.MachineName,
        };

        return new RegistrationInput
        {
            Model = model,
            ProjectFile = spec.ProjectFile,
            RepositoryRoot = repository.Root,
            Files = files,
            Lineage = lineage,
            Gates = gates,
            Task = schema?.Task ?? spec.Task.ToString().ToLowerInvariant(),
            Label = schema?.LabelName ?? spec.Label,
            PositiveClass = spec.Task == TaskKind.Binary ? schema?.PositiveClass ?? spec.PositiveClass : null,
        };
    }

    /// <summary>
    /// Every output that the lock file records must hash as recorded, and the train and evaluate steps must
    /// have run: otherwise the model, its metrics and its lineage might not belong together.
    /// </summary>
    private static void CheckAgainstLockFile(ModelSpec spec, LockFile lockFile, Dictionary<string, InputFile> files)
    {
        foreach (var step in new[] { StepName.ValidateData, StepName.Train, StepName.Evaluate })
        {
            if (lockFile.Stage(step) is null)
            {
                throw NotBuilt(spec, $"{Path.GetFileName(spec.LockFile)} has no '{step.Key()}' entry");
            }
        }

        foreach (var stage in lockFile.Stages.Values)
        {
            foreach (var (relative, output) in stage.Outs)
            {
                var file = files.Values.FirstOrDefault(candidate => spec.Relative(candidate.Path) == relative);
                if (file is not null && file.Sha256 != output.Sha256)
                {
                    throw new MlopsException(
                        ErrorCodes.NotRegistrable,
                        new SourceLocation(file.Path),
                        $"{relative} is not the output {Path.GetFileName(spec.LockFile)} records (sha256 {file.Sha256[..12]}, locked {output.Sha256[..12]})",
                        "Build the project (dotnet build) so its outputs and lock file agree, then register");
                }
            }
        }
    }

    /// <summary>gates.json must judge these metrics: after 'dotnet build -t:MlopsEvaluate' it may be an older run's.</summary>
    private static void CheckGatesMatchMetrics(ModelSpec spec, GateSummary gates, byte[] metricsBytes)
    {
        using var document = JsonDocument.Parse(metricsBytes);
        var metrics = RegisteredVersion.ReadMetrics(document.RootElement).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        foreach (var gate in gates.Results)
        {
            var value = metrics.GetValueOrDefault(gate.Metric, double.NaN);
            var same = gate.Value is { } gated ? gated.Equals(value) : !double.IsFinite(value);
            if (!same)
            {
                throw new MlopsException(
                    ErrorCodes.NotRegistrable,
                    new SourceLocation(spec.PathOf(StepOutputs.Gates)),
                    $"gates.json does not judge the current metrics.json ({gate.Metric} {gate.Value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "null"} in gates.json, {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} in metrics.json)",
                    "Run the gate step (dotnet build, or mlops gate) before registering");
            }
        }
    }

    private static List<DataLineage> DataLineage(ModelSpec spec, MlopsRepository repository, StageRecord train) =>
        spec.DataFiles.Select(data =>
        {
            long? size = null;
            if (data.PointerPath is not null)
            {
                size = PointerFile.Load(data.PointerPath, repository).Size;
            }
            else if (File.Exists(data.FullPath))
            {
                size = new FileInfo(data.FullPath).Length;
            }

            return new DataLineage(data.Name, train.Deps.GetValueOrDefault("data:" + data.Name, ""), size);
        }).ToList();

    private static SortedDictionary<string, string> DepsWithPrefix(StageRecord stage, string prefix) =>
        new(stage.Deps.Where(dep => dep.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(dep => dep.Key[prefix.Length..], dep => dep.Value), StringComparer.Ordinal);

    /// <summary>The packaged image's digest from bin/mlops/image/image.json, when the project was packaged.</summary>
    private static string? ImageDigest(ModelSpec spec)
    {
        var path = Path.Combine(spec.OutputDirectory, "image", "image.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return RegistryJson.OptionalString(document.RootElement, "digest");
        }
        catch (JsonException)
        {
            return null; // an unreadable image record says nothing about this model; the lineage just lacks the digest
        }
    }

    private static MlopsException NotBuilt(ModelSpec spec, string what) =>
        new(ErrorCodes.NotRegistrable, new SourceLocation(spec.ProjectFile), $"{spec.ProjectName} cannot be registered: {what}", "Build the project first (dotnet build); a build whose gates fail can still be registered");
}

/// <summary>A local file to register, with its SHA-256 and size when it was gathered.</summary>
public sealed record InputFile(string Path, string Sha256, long Size)
{
    public static InputFile Of(string path) => new(System.IO.Path.GetFullPath(path), ContentHash.OfFile(path), new FileInfo(path).Length);
}
