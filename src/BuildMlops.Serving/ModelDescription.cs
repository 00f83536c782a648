using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary>
/// What the server knows about the model without loading it: the files of the model directory
/// (schema.json, metrics.json, model.zip's hash) and, if given, what mlops.lock.json recorded about
/// how it was trained. Read once at start; a bad or missing file is a BM6001 error.
/// </summary>
public sealed class ModelDescription
{
    /// <summary>The SDK's default MlopsMissingValues, for a model served without its lock file.</summary>
    public static readonly IReadOnlyList<string> DefaultMissingValues = ["NA", "N/A", "NaN", "null", "NULL"];

    private ModelDescription()
    {
    }

    public required string Directory { get; init; }
    public required string ModelPath { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Sha256 { get; init; }
    public required long Size { get; init; }
    public required TaskKind Task { get; init; }
    public required string Label { get; init; }

    /// <summary>Binary: the label value the model detects (its probability is the one reported).</summary>
    public string PositiveClass { get; init; } = "";

    public string NegativeClass { get; init; } = "";

    /// <summary>Classification: every label value of the data, in ordinal order.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The model's inputs, in the data's column order.</summary>
    public required IReadOnlyList<InputFeature> Features { get; init; }

    /// <summary>Columns of the data that are not features (the label, ignored columns): accepted in a record and ignored.</summary>
    public required IReadOnlySet<string> OtherColumns { get; init; }

    /// <summary>metrics.json, in its order; a null value is a metric undefined on the test split. Empty without metrics.json.</summary>
    public required IReadOnlyList<KeyValuePair<string, double?>> Metrics { get; init; }

    /// <summary>Text values that mean "missing" (MlopsMissingValues), as in training.</summary>
    public required IReadOnlyList<string> MissingValues { get; init; }

    public LockSummary? Lock { get; init; }

    /// <summary>Upper bounds of the regression value histogram.</summary>
    public required IReadOnlyList<double> ValueBuckets { get; init; }

    public static ModelDescription Load(ServingOptions options)
    {
        var directory = options.ModelDirectory;
        if (!System.IO.Directory.Exists(directory))
        {
            throw NotServable(directory, "the model directory does not exist", "Give the folder that holds model.zip and schema.json (a model project's bin/mlops/)");
        }

        var modelPath = Path.Combine(directory, StepOutputs.Model);
        var schemaPath = Path.Combine(directory, StepOutputs.Schema);
        foreach (var required in new[] { modelPath, schemaPath })
        {
            if (!File.Exists(required))
            {
                throw NotServable(required, $"the model directory has no {Path.GetFileName(required)}", "Build the model project first (dotnet build), and serve its bin/mlops/ folder");
            }
        }

        var (sha256, size) = Hash(modelPath);
        var lockPath = options.LockFile ?? Path.Combine(directory, "mlops.lock.json");
        if (options.LockFile is not null && !File.Exists(lockPath))
        {
            throw NotServable(lockPath, "the lock file does not exist", "Give the model project's mlops.lock.json, or leave the option out");
        }

        var lockSummary = File.Exists(lockPath) ? LockSummary.From(LockFile.Load(lockPath), sha256) : null;
        var missingValues = lockSummary?.Params.TryGetValue(SettingNames.MissingValues, out var tokens) == true
            ? tokens.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : DefaultMissingValues;

        var schema = ReadSchema(schemaPath);
        var metricsPath = Path.Combine(directory, StepOutputs.Metrics);
        var name = options.ModelName
            ?? (lockSummary is { Project.Length: > 0 } ? Path.GetFileNameWithoutExtension(lockSummary.Project) : DirectoryName(directory));
        return new ModelDescription
        {
            Directory = directory,
            ModelPath = modelPath,
            Name = name,
            Version = options.ModelVersion ?? sha256[..12],
            Sha256 = sha256,
            Size = size,
            Task = schema.Task,
            Label = schema.Label,
            PositiveClass = schema.PositiveClass,
            NegativeClass = schema.NegativeClass,
            Classes = schema.Classes,
            Features = schema.Features,
            OtherColumns = schema.OtherColumns,
            Metrics = File.Exists(metricsPath) ? ReadMetrics(metricsPath) : [],
            MissingValues = missingValues,
            Lock = lockSummary,
            ValueBuckets = options.ValueBuckets ?? DefaultValueBuckets(Path.Combine(directory, StepOutputs.Predictions)),
        };
    }

    internal static MlopsException NotServable(string path, string message, string help) =>
        new(ErrorCodes.ModelNotServable, new SourceLocation(path), message, help);

    private static (string Sha256, long Size) Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return (Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }

    /// <summary>A project's bin/mlops/ is named after the project, not "mlops".</summary>
    private static string DirectoryName(string directory)
    {
        var info = new DirectoryInfo(directory);
        return info.Name == "mlops" && info.Parent is { Name: "bin", Parent: { } project } ? project.Name : info.Name;
    }

    private sealed record Schema(TaskKind Task, string Label, string PositiveClass, string NegativeClass, IReadOnlyList<string> Classes, IReadOnlyList<InputFeature> Features, IReadOnlySet<string> OtherColumns);

    private static Schema ReadSchema(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var label = root.GetProperty("label");
            var task = label.GetProperty("task").GetString() switch
            {
                "binary" => TaskKind.Binary,
                "multiclass" => TaskKind.Multiclass,
                "regression" => TaskKind.Regression,
                var other => throw new FormatException($"unknown task '{other}'"),
            };
            var classes = label.TryGetProperty("counts", out var counts)
                ? counts.EnumerateObject().Select(count => count.Name).Order(StringComparer.Ordinal).ToList()
                : [];
            var positive = label.TryGetProperty("positive_class", out var declared) ? declared.GetString() ?? "" : "";
            var negative = "";
            if (task == TaskKind.Binary)
            {
                if (classes.Count != 2 || !classes.Contains(positive, StringComparer.Ordinal))
                {
                    throw new FormatException("a binary model's label needs two classes, one of them positive_class");
                }

                negative = classes.Single(value => value != positive);
            }
            else if (task == TaskKind.Multiclass && classes.Count < 2)
            {
                throw new FormatException("a multiclass model's label needs at least two classes");
            }

            var features = new List<InputFeature>();
            var others = new HashSet<string>(StringComparer.Ordinal);
            foreach (var column in root.GetProperty("columns").EnumerateArray())
            {
                var name = column.GetProperty("name").GetString() ?? throw new FormatException("a column has no name");
                if (column.GetProperty("role").GetString() != "feature")
                {
                    others.Add(name);
                    continue;
                }

                var type = column.GetProperty("type").GetString() switch
                {
                    "numeric" => ColumnType.Numeric,
                    "text" => ColumnType.Text,
                    var other => throw new FormatException($"feature '{name}' has unknown type '{other}'"),
                };
                features.Add(new InputFeature(name, type)
                {
                    Missing = column.TryGetProperty("missing", out var missing) ? missing.GetInt32() : 0,
                    Min = Number(column, "min"),
                    Max = Number(column, "max"),
                    Mean = Number(column, "mean"),
                    Categories = column.TryGetProperty("categories", out var categories) ? categories.GetInt32() : null,
                });
            }

            return features.Count == 0
                ? throw new FormatException("no column has the role 'feature'")
                : new Schema(task, label.GetProperty("name").GetString() ?? "", positive, negative, classes, features, others);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw NotServable(path, $"schema.json cannot be read: {exception.Message}", "Rebuild the model project (dotnet build) to write it again");
        }
    }

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static IReadOnlyList<KeyValuePair<string, double?>> ReadMetrics(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return [.. document.RootElement.EnumerateObject().Select(metric => KeyValuePair.Create(metric.Name, metric.Value.ValueKind == JsonValueKind.Number ? metric.Value.GetDouble() : (double?)null))];
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw NotServable(path, $"metrics.json cannot be read: {exception.Message}", "Rebuild the model project (dotnet build) to write it again");
        }
    }

    /// <summary>
    /// Deciles of the test split's true values (predictions.csv, when the directory has it), rounded to
    /// three significant digits; otherwise a wide fixed scale.
    /// </summary>
    private static IReadOnlyList<double> DefaultValueBuckets(string predictionsPath)
    {
        double[] fallback = [0, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
        if (!File.Exists(predictionsPath))
        {
            return fallback;
        }

        try
        {
            var lines = File.ReadLines(predictionsPath).ToList();
            var header = lines.Count > 0 ? lines[0].Split(',') : [];
            var index = Array.IndexOf(header, "label");
            var values = lines.Skip(1)
                .Select(line => line.Split(','))
                .Where(fields => index >= 0 && fields.Length == header.Length)
                .Select(fields => double.TryParse(fields[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN)
                .Where(double.IsFinite)
                .Order()
                .ToArray();
            if (values.Length < 10)
            {
                return fallback;
            }

            var bounds = Enumerable.Range(1, 9)
                .Select(decile => Round(values[(int)Math.Min(values.Length - 1, Math.Round(decile / 10.0 * (values.Length - 1)))]))
                .Distinct()
                .Order()
                .ToArray();
            return bounds.Length > 0 ? bounds : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
    }

    private static double Round(double value)
    {
        if (value == 0)
        {
            return 0;
        }

        var digits = 3 - (int)Math.Floor(Math.Log10(Math.Abs(value))) - 1;
        return digits >= 0 ? Math.Round(value, Math.Min(digits, 15)) : Math.Round(value / Math.Pow(10, -digits)) * Math.Pow(10, -digits);
    }
}

/// <summary>One input of the model, with what schema.json says about its training values.</summary>
public sealed record InputFeature(string Name, ColumnType Type)
{
    public int Missing { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? Mean { get; init; }
    public int? Categories { get; init; }
}

/// <summary>What mlops.lock.json recorded about training the model: its train stage's dependencies, split by kind.</summary>
public sealed class LockSummary
{
    public required string Project { get; init; }

    /// <summary>The model.zip hash the lock file records; null when it has no train stage.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Whether model.zip is the one the lock file records.</summary>
    public bool MatchesModel { get; init; }

    /// <summary>Data file to SHA-256 (<c>data:</c> dependencies).</summary>
    public required IReadOnlyDictionary<string, string> Data { get; init; }

    /// <summary>MSBuild property to value (<c>param:</c>).</summary>
    public required IReadOnlyDictionary<string, string> Params { get; init; }

    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }

    public required IReadOnlyDictionary<string, string> Columns { get; init; }

    /// <summary>buildmlops, mlnet, runtime.</summary>
    public required IReadOnlyDictionary<string, string> Versions { get; init; }

    public static LockSummary From(LockFile lockFile, string modelSha256)
    {
        var deps = lockFile.Stage(StepName.Train)?.Deps ?? lockFile.Stage(StepName.ValidateData)?.Deps ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
        var locked = lockFile.Stage(StepName.Train)?.Outs
            .Where(output => output.Key.EndsWith("/" + StepOutputs.Model, StringComparison.Ordinal) || output.Key == StepOutputs.Model)
            .Select(output => output.Value.Sha256)
            .FirstOrDefault();
        SortedDictionary<string, string> Kind(string prefix) => new(
            deps.Where(dep => dep.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(dep => dep.Key[prefix.Length..], dep => dep.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
        return new LockSummary
        {
            Project = lockFile.Project,
            ModelSha256 = locked,
            MatchesModel = locked == modelSha256,
            Data = Kind("data:"),
            Params = Kind("param:"),
            Hyperparameters = Kind("hyperparameter:"),
            Columns = Kind("column:"),
            Versions = Kind("version:"),
        };
    }
}
