using System.Globalization;
using BuildMlops.Diagnostics;
using BuildMlops.Metrics;

namespace BuildMlops.Spec;

/// <summary>
/// Turns a <see cref="RawSpec"/> into a <see cref="ModelSpec"/>, rejecting every bad setting with a
/// BMnnnn error that points at the line of the project file that sets it.
/// </summary>
public static class ModelSpecParser
{
    public static ModelSpec Parse(RawSpec raw)
    {
        var projectFile = Path.GetFullPath(raw.ProjectFile);
        var projectDirectory = Path.GetDirectoryName(projectFile)!;
        string Full(string path) => Path.GetFullPath(Path.Combine(projectDirectory, path));

        var task = ParseEnum<TaskKind>(raw, SettingNames.Task, "binary, multiclass or regression");
        var trainerText = Required(raw, SettingNames.Trainer);
        var trainer = TrainerCatalogNames.Resolve(task, trainerText)
            ?? throw new MlopsException(
                ErrorCodes.UnknownTrainer,
                ProjectFileLocator.Property(projectFile, SettingNames.Trainer),
                $"unknown trainer '{trainerText}' for a {task.ToString().ToLowerInvariant()} model",
                $"Set {SettingNames.Trainer} to one of: {string.Join(", ", TrainerCatalogNames.For(task))}");

        var data = raw.ItemsOf(SettingNames.DataItem)
            .Select(item => DataFileOf(projectFile, Full(item.Include), Normalize(item.Include)))
            .DistinctBy(file => file.FullPath, StringComparer.Ordinal)
            .ToList();
        if (data.Count == 0)
        {
            throw new MlopsException(
                ErrorCodes.NoDataDeclared,
                new SourceLocation(projectFile),
                "the project declares no data",
                $"Add <{SettingNames.DataItem} Include=\"data/your.csv\" /> to an ItemGroup");
        }

        // Not trimmed: a literal tab is a separator, not white space.
        var separatorText = raw.Properties.TryGetValue(SettingNames.Separator, out var rawSeparator) && rawSeparator == "\t" ? "\t" : raw.Property(SettingNames.Separator);
        var separator = separatorText switch
        {
            "" or "," => ',',
            "\\t" or "tab" or "\t" => '\t',
            ";" or "%3B" => ';',
            "|" => '|',
            _ => throw BadProperty(projectFile, SettingNames.Separator, separatorText, "use ',', ';', '|' or 'tab'"),
        };

        var spec = new ModelSpec
        {
            ProjectFile = projectFile,
            DataFiles = data,
            Task = task,
            Label = Required(raw, SettingNames.Label),
            Trainer = trainer,
            Hyperparameters = ParseHyperparameters(raw, projectFile),
            Features = SplitList(raw.Property(SettingNames.Features)),
            Columns = ParseColumns(raw, projectFile),
            MissingValues = SplitList(raw.Property(SettingNames.MissingValues)),
            MissingPolicy = ParseEnum<MissingPolicy>(raw, SettingNames.MissingPolicy, string.Join(", ", Enum.GetNames<MissingPolicy>())),
            PositiveClass = raw.Property(SettingNames.PositiveClass) is { Length: > 0 } positive ? positive : null,
            TestFraction = ParseDouble(raw, projectFile, SettingNames.TestFraction, 0.01, 0.9),
            Seed = ParseInt(raw, projectFile, SettingNames.Seed, 0, int.MaxValue),
            Threads = ParseInt(raw, projectFile, SettingNames.Threads, 1, 256),
            Separator = separator,
            Gates = ParseGates(raw, projectFile, task),
            OutputDirectory = Full(Required(raw, SettingNames.OutputPath)),
            IntermediateDirectory = Full(Required(raw, SettingNames.IntermediatePath)),
            LockFile = Full(Required(raw, SettingNames.LockFile)),
            Verify = string.Equals(raw.Property(SettingNames.Verify), "true", StringComparison.OrdinalIgnoreCase),
            RunCache = !string.Equals(raw.Property(SettingNames.RunCache), "false", StringComparison.OrdinalIgnoreCase),
            GitHubActions = string.Equals(raw.Property(SettingNames.GitHubActions), "true", StringComparison.OrdinalIgnoreCase),
            ModelName = raw.Property(SettingNames.ModelName) is { Length: > 0 } modelName ? modelName : Path.GetFileNameWithoutExtension(projectFile).ToLowerInvariant(),
        };
        return spec;
    }

    private static string Normalize(string path) => path.Replace('\\', '/');

    /// <summary>Data named directly, or through its pointer file (which must be well-formed and stay in the repository).</summary>
    private static DataFile DataFileOf(string projectFile, string fullPath, string name)
    {
        if (!name.EndsWith(Pointers.PointerFile.Extension, StringComparison.Ordinal))
        {
            return new DataFile(fullPath, name);
        }

        if (!File.Exists(fullPath))
        {
            throw new MlopsException(
                ErrorCodes.DataFileMissing,
                ProjectFileLocator.Item(projectFile, SettingNames.DataItem, name),
                $"pointer file '{name}' does not exist (looked for {fullPath})",
                "Check the path in the MlopsData item, or create the pointer with 'mlops data add'");
        }

        var pointer = Pointers.PointerFile.Load(fullPath, Repository.MlopsRepository.Discover(fullPath));
        return new DataFile(pointer.DataPath(fullPath), name[..^Pointers.PointerFile.Extension.Length], fullPath);
    }

    private static IReadOnlyList<string> SplitList(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Required(RawSpec raw, string name)
    {
        var value = raw.Property(name);
        return value.Length > 0
            ? value
            : throw new MlopsException(
                ErrorCodes.BadProperty,
                ProjectFileLocator.Property(raw.ProjectFile, name),
                $"{name} is empty",
                $"Set {name}, or remove the empty setting to use the default");
    }

    private static T ParseEnum<T>(RawSpec raw, string name, string allowed)
        where T : struct, Enum
    {
        var text = Required(raw, name);
        return Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _)
            ? value
            : throw BadProperty(raw.ProjectFile, name, text, "use one of: " + allowed);
    }

    private static int ParseInt(RawSpec raw, string projectFile, string name, int min, int max)
    {
        var text = Required(raw, name);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw BadProperty(projectFile, name, text, $"use a whole number from {min} to {max}");
    }

    private static double ParseDouble(RawSpec raw, string projectFile, string name, double min, double max)
    {
        var text = Required(raw, name);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw BadProperty(projectFile, name, text, $"use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, with '.' as the decimal point");
    }

    private static MlopsException BadProperty(string projectFile, string name, string value, string help) =>
        new(ErrorCodes.BadProperty, ProjectFileLocator.Property(projectFile, name), $"{name} has the invalid value '{value}'", char.ToUpperInvariant(help[0]) + help[1..]);

    private static SortedDictionary<string, string> ParseHyperparameters(RawSpec raw, string projectFile)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in raw.ItemsOf(SettingNames.HyperparameterItem))
        {
            var value = item.Get("Value");
            if (value.Length == 0)
            {
                throw new MlopsException(
                    ErrorCodes.BadHyperparameter,
                    ProjectFileLocator.Item(projectFile, SettingNames.HyperparameterItem, item.Include),
                    $"hyperparameter '{item.Include}' has no Value",
                    $"Write <{SettingNames.HyperparameterItem} Include=\"{item.Include}\" Value=\"...\" />");
            }

            result[item.Include] = value;
        }

        return result;
    }

    private static List<ColumnSpec> ParseColumns(RawSpec raw, string projectFile)
    {
        var columns = new List<ColumnSpec>();
        foreach (var item in raw.ItemsOf(SettingNames.ColumnItem))
        {
            var typeText = item.Get("Type");
            ColumnType? type = null;
            if (typeText.Length > 0)
            {
                type = Enum.TryParse<ColumnType>(typeText, ignoreCase: true, out var parsed) && !int.TryParse(typeText, out _)
                    ? parsed
                    : throw new MlopsException(
                        ErrorCodes.BadProperty,
                        ProjectFileLocator.Item(projectFile, SettingNames.ColumnItem, item.Include),
                        $"column '{item.Include}' has the invalid Type '{typeText}'",
                        "Use Type=\"Numeric\" or Type=\"Text\"");
            }

            columns.Add(new ColumnSpec(item.Include, type, string.Equals(item.Get("Ignore"), "true", StringComparison.OrdinalIgnoreCase)));
        }

        return columns;
    }

    private static List<GateSpec> ParseGates(RawSpec raw, string projectFile, TaskKind task)
    {
        var gates = new List<GateSpec>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in raw.ItemsOf(SettingNames.GateItem))
        {
            // The n-th gate on a metric is the n-th such item in the file: an error points at its own line.
            var occurrence = seen[item.Include] = seen.GetValueOrDefault(item.Include, -1) + 1;
            var location = ProjectFileLocator.Item(projectFile, SettingNames.GateItem, item.Include, occurrence);
            var metric = item.Include.Trim().ToLowerInvariant();
            if (!MetricNames.For(task).Contains(metric))
            {
                throw new MlopsException(
                    ErrorCodes.UnknownGateMetric,
                    location,
                    $"unknown metric '{item.Include}' in a gate of a {task.ToString().ToLowerInvariant()} model",
                    $"Gate on one of: {string.Join(", ", MetricNames.For(task))}");
            }

            double? Bound(string name)
            {
                var text = item.Get(name);
                if (text.Length == 0)
                {
                    return null;
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value
                    : throw new MlopsException(ErrorCodes.BadGate, location, $"gate '{metric}' has the invalid {name} '{text}'", "Write a number with '.' as the decimal point");
            }

            var against = item.Get("Against");
            if (against.Length > 0 && !against.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            {
                throw new MlopsException(ErrorCodes.BadGate, location, $"gate '{metric}' has the invalid Against '{against}'", "Name a registry alias in lower case, e.g. Against=\"production\"");
            }

            var maxDrop = Bound("MaxDrop");
            if (maxDrop is < 0)
            {
                throw new MlopsException(ErrorCodes.BadGate, location, $"gate '{metric}' has a negative MaxDrop", "MaxDrop is how much worse than the baseline the metric may get: 0 or more");
            }

            if (maxDrop is not null && against.Length == 0)
            {
                throw new MlopsException(ErrorCodes.BadGate, location, $"gate '{metric}' has MaxDrop but no Against", $"Say which model to compare with: Against=\"production\"");
            }

            var gate = new GateSpec(metric, Bound("Min"), Bound("Max")) { Against = against.Length == 0 ? null : against, MaxDrop = maxDrop ?? 0 };
            if (gate.Min is null && gate.Max is null && gate.Against is null)
            {
                throw new MlopsException(ErrorCodes.BadGate, location, $"gate '{metric}' has neither Min, Max nor Against", $"Write <{SettingNames.GateItem} Include=\"{metric}\" Min=\"...\" />, Max=\"...\", or Against=\"production\" MaxDrop=\"...\"");
            }

            gates.Add(gate);
        }

        return gates;
    }
}
