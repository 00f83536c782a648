using System.Globalization;
using System.IO.Compression;
using System.Text;
using BuildMlops.HashData;
using BuildMlops.IO;
using BuildMlops.Metrics;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Testing;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>
/// A model project as a build leaves it, made without ML.NET so the registry's tests stay fast: the real
/// data of an example pipeline, a fixed scoring rule standing in for the trained model (its weights are
/// the model.zip), the test split's predictions, metrics computed by the product's own
/// <see cref="MetricCalculator"/>, schema.json, gates.json, and a lock file that records all of them.
/// Different seeds give different splits and weights, hence different bytes.
/// </summary>
internal sealed class BuiltProject
{
    private const string ChurnData = "wa_churn.csv";
    private const string ConcreteData = "concrete.csv";

    private BuiltProject(string directory, ModelSpec spec, RawSpec raw)
    {
        Directory = directory;
        Spec = spec;
        Raw = raw;
    }

    public string Directory { get; }

    public ModelSpec Spec { get; }

    public RawSpec Raw { get; }

    public string Output(string name) => Spec.PathOf(name);

    public RegistrationInput Input(string? model = null) => RegistrationInput.FromProject(Spec, Raw, model);

    /// <summary>The churn pipeline (binary) in <paramref name="root"/>/<paramref name="name"/>, trained with <paramref name="seed"/>; its auc gate is <paramref name="aucMin"/>.</summary>
    public static BuiltProject Churn(string root, string name = "churn", int seed = 42, double aucMin = 0.7)
    {
        var (directory, raw) = Project(root, name, "churn", "binary", ChurnData, seed, new Dictionary<string, string> { [SettingNames.PositiveClass] = "Yes" });
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Min", aucMin.ToString(CultureInfo.InvariantCulture)));
        var rows = Csv(Path.Combine(directory, "data", ChurnData));
        var test = TestSplit(rows.Count, seed);
        var labels = new List<bool>();
        var predicted = new List<bool>();
        var probabilities = new List<double>();
        var predictions = new StringBuilder("source,line,label,predicted,probability,score\n");
        var bias = -1.2 + ((seed % 10) * 0.05);
        foreach (var index in test)
        {
            var row = rows[index];
            var score = bias + (row["contract"] == "Month-to-month" ? 1.9 : -0.6) - (0.035 * Number(row["tenure"])) + (0.012 * Number(row["monthly_charges"]));
            var probability = 1 / (1 + Math.Exp(-score));
            labels.Add(row["churn"] == "Yes");
            predicted.Add(probability >= 0.5);
            probabilities.Add(probability);
            predictions.Append(CultureInfo.InvariantCulture, $"data/{ChurnData},{index + 2},{row["churn"]},{(probability >= 0.5 ? "Yes" : "No")},{probability:R},{score:R}\n");
        }

        var metrics = MetricCalculator.Binary([.. labels], [.. predicted], [.. probabilities]);
        return Finish(directory, raw, rows, "churn", $"bias={bias:R};contract=1.9/-0.6;tenure=-0.035;monthly_charges=0.012\n", metrics, predictions.ToString());
    }

    /// <summary>The concrete pipeline (regression) with a fixed linear rule.</summary>
    public static BuiltProject Concrete(string root, int seed = 42)
    {
        var (directory, raw) = Project(root, "concrete", "compressive_strength", "regression", ConcreteData, seed, new Dictionary<string, string>());
        SpecFactory.AddItem(raw, SettingNames.GateItem, "rmse", ("Max", "30"));
        var rows = Csv(Path.Combine(directory, "data", ConcreteData));
        var labels = new List<double>();
        var scores = new List<double>();
        var predictions = new StringBuilder("source,line,label,score\n");
        foreach (var index in TestSplit(rows.Count, seed))
        {
            var row = rows[index];
            var score = 5 + (0.08 * Number(row["cement"])) + (0.1 * Math.Min(Number(row["age"]), 90));
            labels.Add(Number(row["compressive_strength"]));
            scores.Add(score);
            predictions.Append(CultureInfo.InvariantCulture, $"data/{ConcreteData},{index + 2},{row["compressive_strength"]},{score:R}\n");
        }

        var metrics = MetricCalculator.Regression([.. labels], [.. scores]);
        return Finish(directory, raw, rows, "compressive_strength", "intercept=5;cement=0.08;age=0.1\n", metrics, predictions.ToString());
    }

    /// <summary>Residuals label − score of the project's predictions.csv, computed here independently of the registry.</summary>
    public double[] Residuals() =>
        File.ReadAllLines(Output(StepOutputs.Predictions)).Skip(1)
            .Select(line => line.Split(','))
            .Select(fields => double.Parse(fields[2], CultureInfo.InvariantCulture) - double.Parse(fields[3], CultureInfo.InvariantCulture))
            .ToArray();

    private static (string Directory, RawSpec Raw) Project(string root, string name, string label, string task, string dataFile, int seed, Dictionary<string, string> properties)
    {
        var directory = Path.Combine(root, name);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        var pipeline = Path.GetFileNameWithoutExtension(dataFile) == "wa_churn" ? "churn" : "concrete";
        File.Copy(RepoLayout.PipelineData(pipeline, dataFile), Path.Combine(directory, "data", dataFile), overwrite: true);
        properties[SettingNames.Seed] = seed.ToString(CultureInfo.InvariantCulture);
        var raw = SpecFactory.Raw(directory, label, task, [$"data/{dataFile}"], properties);
        raw.ProjectFile = Path.Combine(directory, name + ".csproj");
        File.WriteAllText(raw.ProjectFile, "<Project />\n");
        return (directory, raw);
    }

    private static BuiltProject Finish(string directory, RawSpec raw, List<Dictionary<string, string>> rows, string label, string weights, IReadOnlyList<KeyValuePair<string, double>> metrics, string predictions)
    {
        var spec = ModelSpecParser.Parse(raw);
        System.IO.Directory.CreateDirectory(spec.OutputDirectory);
        WriteModel(spec.PathOf(StepOutputs.Model), weights);
        File.WriteAllText(spec.PathOf(StepOutputs.Metrics), MetricsFile.ToJson(metrics));
        File.WriteAllText(spec.PathOf(StepOutputs.Predictions), predictions);
        File.WriteAllText(spec.PathOf(StepOutputs.Schema), Schema(rows, label, spec));
        var gate = spec.Gates[0];
        var value = metrics.First(metric => metric.Key == gate.Metric).Value;
        var passed = (gate.Min is not { } min || value >= min) && (gate.Max is not { } max || value <= max);
        File.WriteAllText(spec.PathOf(StepOutputs.Gates), DeterministicJson.Write(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("metric", gate.Metric);
            writer.WriteNumber("value", value);
            if (gate.Min is { } lower)
            {
                writer.WriteNumber("min", lower);
            }

            if (gate.Max is { } upper)
            {
                writer.WriteNumber("max", upper);
            }

            writer.WriteBoolean("passed", passed);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }));
        WriteLockFile(spec, passed);
        return new BuiltProject(directory, spec, raw);
    }

    /// <summary>A real zip, with fixed entry times like the train step's normalized archives.</summary>
    private static void WriteModel(string path, string weights)
    {
        using var file = new FileStream(path, FileMode.Create);
        using var archive = new ZipArchive(file, ZipArchiveMode.Create);
        var entry = archive.CreateEntry("weights.txt");
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var writer = new StreamWriter(entry.Open());
        writer.Write(weights);
    }

    private static void WriteLockFile(ModelSpec spec, bool gatePassed)
    {
        var data = spec.DataFiles[0];
        var common = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["data:" + data.Name] = ContentHash.OfFile(data.FullPath),
            ["param:MlopsData"] = data.Name,
            ["param:MlopsTask"] = spec.Task.ToString().ToLowerInvariant(),
            ["param:MlopsLabel"] = spec.Label,
            ["param:MlopsMissingPolicy"] = spec.MissingPolicy.ToString(),
            ["version:buildmlops"] = ToolVersions.BuildMlops,
            ["version:mlnet"] = ToolVersions.MlNet,
            ["version:runtime"] = ToolVersions.Runtime,
        };
        var train = new SortedDictionary<string, string>(common, StringComparer.Ordinal)
        {
            ["param:MlopsSeed"] = spec.Seed.ToString(CultureInfo.InvariantCulture),
            ["param:MlopsTestFraction"] = spec.TestFraction.ToString(CultureInfo.InvariantCulture),
            ["param:MlopsTrainer"] = spec.Trainer,
            ["param:MlopsThreads"] = spec.Threads.ToString(CultureInfo.InvariantCulture),
        };
        var lockFile = new LockFile { Project = Path.GetFileName(spec.ProjectFile) };
        lockFile.Stages["validate"] = Stage(spec, common, StepOutputs.Schema);
        lockFile.Stages["train"] = Stage(spec, train, StepOutputs.Model);
        lockFile.Stages["evaluate"] = Stage(spec, new(train, StringComparer.Ordinal) { ["in:bin/mlops/model.zip"] = ContentHash.OfFile(spec.PathOf(StepOutputs.Model)) }, StepOutputs.Metrics, StepOutputs.Predictions);
        if (gatePassed)
        {
            // A failed gate removes the gate entry, as a build does.
            lockFile.Stages["gate"] = Stage(spec, new(StringComparer.Ordinal) { ["in:bin/mlops/metrics.json"] = ContentHash.OfFile(spec.PathOf(StepOutputs.Metrics)) }, StepOutputs.Gates);
        }

        lockFile.Save(spec.LockFile);
    }

    private static StageRecord Stage(ModelSpec spec, SortedDictionary<string, string> deps, params string[] outputs)
    {
        var stage = new StageRecord { Deps = deps };
        foreach (var output in outputs)
        {
            stage.Outs["bin/mlops/" + output] = new OutputRecord(ContentHash.OfFile(spec.PathOf(output)), new FileInfo(spec.PathOf(output)).Length);
        }

        return stage;
    }

    /// <summary>schema.json as the validate step writes it, from the rows.</summary>
    private static string Schema(List<Dictionary<string, string>> rows, string label, ModelSpec spec) => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("rows", rows.Count);
        writer.WriteNumber("dropped_rows", 0);
        writer.WriteStartObject("label");
        writer.WriteString("name", label);
        writer.WriteString("task", spec.Task.ToString().ToLowerInvariant());
        if (spec.PositiveClass is { } positive)
        {
            writer.WriteString("positive_class", positive);
        }

        writer.WriteStartObject("counts");
        if (spec.Task != TaskKind.Regression)
        {
            foreach (var group in rows.GroupBy(row => row[label]).OrderBy(group => group.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(group.Key, group.Count());
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("columns");
        foreach (var column in rows[0].Keys)
        {
            var present = rows.Select(row => row[column]).Where(value => value is not ("" or "NA")).ToList();
            var numeric = present.All(value => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            writer.WriteStartObject();
            writer.WriteString("name", column);
            writer.WriteString("type", column == label ? "label" : numeric ? "numeric" : "text");
            writer.WriteString("role", column == label ? "label" : "feature");
            writer.WriteNumber("missing", rows.Count - present.Count);
            if (column != label && numeric)
            {
                var values = present.Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToList();
                writer.WriteNumber("min", values.Min());
                writer.WriteNumber("max", values.Max());
                writer.WriteNumber("mean", Math.Round(values.Average(), 6));
            }
            else if (column != label)
            {
                writer.WriteNumber("categories", present.Distinct().Count());
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>Every fifth row or so, chosen by the seed: a test split that changes with it.</summary>
    private static List<int> TestSplit(int rows, int seed) =>
        Enumerable.Range(0, rows).Where(index => unchecked((uint)(index * 2654435761u) ^ (uint)seed) % 5 == 0).ToList();

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The example data sets quote text and never put a comma inside quotes. Parsed once per data set.</summary>
    private static List<Dictionary<string, string>> Csv(string path) =>
        ParsedData.GetOrAdd(Path.GetFileName(path), _ => Parse(path));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<Dictionary<string, string>>> ParsedData = new(StringComparer.Ordinal);

    private static List<Dictionary<string, string>> Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',').Select(name => name.Trim('"')).ToArray();
        return lines.Skip(1).Where(line => line.Length > 0)
            .Select(line => line.Split(',').Select(field => field.Trim('"')).ToArray())
            .Select(fields => header.Zip(fields).ToDictionary(pair => pair.First, pair => pair.Second))
            .ToList();
    }
}
