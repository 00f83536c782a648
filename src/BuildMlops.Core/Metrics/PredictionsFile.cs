using System.Globalization;
using System.Text;
using BuildMlops.Spec;

namespace BuildMlops.Metrics;

/// <summary>
/// predictions.csv read back: one row per test-split row, keyed by its source and line so that two
/// models' predictions on the same rows can be paired. Metrics computed from it equal metrics.json's,
/// because the evaluate step computes those from the same columns.
/// </summary>
public sealed class PredictionsFile
{
    private PredictionsFile(TaskKind task, IReadOnlyList<string> keys, string[] labels, string[] predicted, double[] probabilities, double[][] classProbabilities, string[] classes, double[] scores)
    {
        Task = task;
        Keys = keys;
        Labels = labels;
        Predicted = predicted;
        Probabilities = probabilities;
        ClassProbabilities = classProbabilities;
        Classes = classes;
        Scores = scores;
    }

    public TaskKind Task { get; }

    /// <summary>"source:line" per row, in file order.</summary>
    public IReadOnlyList<string> Keys { get; }

    public string[] Labels { get; }
    public string[] Predicted { get; }

    /// <summary>Binary: the positive class's probability per row.</summary>
    public double[] Probabilities { get; }

    /// <summary>Multiclass: per row, the probability of each of <see cref="Classes"/>.</summary>
    public double[][] ClassProbabilities { get; }

    public string[] Classes { get; }

    /// <summary>Regression: the predicted value per row.</summary>
    public double[] Scores { get; }

    public int Count => Keys.Count;

    public static PredictionsFile Read(string path, TaskKind task)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        var header = SplitCsv(lines[0]);
        var rows = lines.Skip(1).Where(line => line.Length > 0).Select(SplitCsv).ToList();
        int Column(string name) => Array.IndexOf(header, name) is var index and >= 0 ? index : throw new InvalidDataException($"{path} has no '{name}' column");
        double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

        var keys = rows.Select(row => row[Column("source")] + ":" + row[Column("line")]).ToList();
        var labels = rows.Select(row => row[Column("label")]).ToArray();
        return task switch
        {
            TaskKind.Binary => new PredictionsFile(task, keys, labels, rows.Select(row => row[Column("predicted")]).ToArray(), rows.Select(row => Number(row[Column("probability")])).ToArray(), [], [], []),
            TaskKind.Regression => new PredictionsFile(task, keys, labels, [], [], [], [], rows.Select(row => Number(row[Column("score")])).ToArray()),
            _ => MulticlassFrom(task, keys, labels, header, rows, Column, Number),
        };
    }

    /// <summary>For each of <paramref name="keys"/>, this file's row with that key, or -1 when it has none.</summary>
    public int[] Align(IReadOnlyList<string> keys)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Keys.Count; i++)
        {
            index.TryAdd(Keys[i], i);
        }

        return [.. keys.Select(key => index.TryGetValue(key, out var row) ? row : -1)];
    }

    /// <summary>One metric over the rows <paramref name="rows"/> (indices, repeats allowed, as a bootstrap draws them).</summary>
    public double Metric(string metric, int[] rows, string positiveClass)
    {
        IReadOnlyList<KeyValuePair<string, double>> all = Task switch
        {
            TaskKind.Binary => MetricCalculator.Binary(
                rows.Select(row => Labels[row] == positiveClass).ToArray(),
                rows.Select(row => Predicted[row] == positiveClass).ToArray(),
                rows.Select(row => Probabilities[row]).ToArray()),
            TaskKind.Regression => MetricCalculator.Regression(
                rows.Select(row => double.Parse(Labels[row], NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(row => Scores[row]).ToArray()),
            _ => MetricCalculator.Multiclass(
                rows.Select(row => Array.IndexOf(Classes, Labels[row])).ToArray(),
                rows.Select(row => Array.IndexOf(Classes, Predicted[row])).ToArray(),
                rows.Select(row => ClassProbabilities[row]).ToArray()),
        };
        return all.First(pair => pair.Key == metric).Value;
    }

    private static PredictionsFile MulticlassFrom(TaskKind task, List<string> keys, string[] labels, string[] header, List<string[]> rows, Func<string, int> column, Func<string, double> number)
    {
        var classColumns = header.Select((name, index) => (name, index)).Where(pair => pair.name.StartsWith("p:", StringComparison.Ordinal)).ToList();
        var classes = classColumns.Select(pair => pair.name[2..]).ToArray();
        var probabilities = rows.Select(row => classColumns.Select(pair => number(row[pair.index])).ToArray()).ToArray();
        return new PredictionsFile(task, keys, labels, rows.Select(row => row[column("predicted")]).ToArray(), [], probabilities, classes, []);
    }

    /// <summary>RFC 4180 fields of one line (predictions.csv never breaks a record across lines: no field holds a line break in practice).</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
