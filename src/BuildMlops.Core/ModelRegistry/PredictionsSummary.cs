using System.Globalization;
using System.Text;
using BuildMlops.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// What the model card shows of the test split's predictions (<c>predictions.csv</c>, written by the
/// evaluate step): a confusion matrix for classifiers, a summary of residuals for regression. Computed
/// here from the file rather than taken from ML.NET, so the card says exactly what the file says.
/// </summary>
internal static class PredictionsSummary
{
    /// <summary>Counts of (true label, predicted label); classes in <paramref name="knownClasses"/>' order, others after, sorted.</summary>
    public static ConfusionMatrix Confusion(string csv, IEnumerable<string> knownClasses, SourceLocation where)
    {
        var (header, rows) = Read(csv, where);
        var label = Column(header, "label", where);
        var predicted = Column(header, "predicted", where);
        var classes = knownClasses.ToList();
        foreach (var name in rows.SelectMany(row => new[] { row[label], row[predicted] }).Distinct().Where(name => !classes.Contains(name)).Order(StringComparer.Ordinal))
        {
            classes.Add(name);
        }

        var counts = new long[classes.Count, classes.Count];
        foreach (var row in rows)
        {
            counts[classes.IndexOf(row[label]), classes.IndexOf(row[predicted])]++;
        }

        return new ConfusionMatrix(classes, counts, rows.Count);
    }

    /// <summary>The residuals label − score of a regression's test split.</summary>
    public static ResidualSummary Residuals(string csv, SourceLocation where)
    {
        var (header, rows) = Read(csv, where);
        var label = Column(header, "label", where);
        var score = Column(header, "score", where);
        var residuals = rows.Select(row => Number(row[label], where) - Number(row[score], where)).Order().ToArray();
        if (residuals.Length == 0)
        {
            return new ResidualSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var mean = residuals.Average();
        var variance = residuals.Length > 1 ? residuals.Sum(residual => (residual - mean) * (residual - mean)) / (residuals.Length - 1) : 0;
        return new ResidualSummary(
            residuals.Length,
            mean,
            Math.Sqrt(variance),
            residuals[0],
            Quantile(residuals, 0.05),
            Quantile(residuals, 0.25),
            Quantile(residuals, 0.5),
            Quantile(residuals, 0.75),
            Quantile(residuals, 0.95),
            residuals[^1]);
    }

    /// <summary>Linear interpolation between the order statistics: NumPy's default, R's type 7.</summary>
    internal static double Quantile(double[] sorted, double probability)
    {
        var position = (sorted.Length - 1) * probability;
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private static double Number(string text, SourceLocation where) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new MlopsException(ErrorCodes.NotRegistrable, where, $"predictions.csv has '{text}' where a number belongs", "Build the project again (dotnet build) so the evaluate step rewrites it");

    private static int Column(IReadOnlyList<string> header, string name, SourceLocation where)
    {
        var index = header.ToList().IndexOf(name);
        return index >= 0
            ? index
            : throw new MlopsException(ErrorCodes.NotRegistrable, where, $"predictions.csv has no '{name}' column (columns: {string.Join(", ", header)})", "Build the project again (dotnet build) so the evaluate step rewrites it");
    }

    /// <summary>RFC 4180 as the evaluate step writes it: ',' separated, '"' quoted with doubled quotes inside, '\n' or "\r\n" line ends.</summary>
    private static (IReadOnlyList<string> Header, List<string[]> Rows) Read(string csv, SourceLocation where)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var index = 0; index < csv.Length; index++)
        {
            var character = csv[index];
            if (quoted)
            {
                if (character == '"' && index + 1 < csv.Length && csv[index + 1] == '"')
                {
                    field.Append('"');
                    index++;
                }
                else if (character == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(character);
                }
            }
            else if (character == '"')
            {
                quoted = true;
            }
            else if (character == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (character is '\n' or '\r')
            {
                if (character == '\r' && index + 1 < csv.Length && csv[index + 1] == '\n')
                {
                    index++;
                }

                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(character);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }

        records.RemoveAll(record => record is [""]);
        if (records.Count == 0)
        {
            throw new MlopsException(ErrorCodes.NotRegistrable, where, "predictions.csv is empty", "Build the project again (dotnet build) so the evaluate step rewrites it");
        }

        var header = records[0];
        if (records.Skip(1).FirstOrDefault(record => record.Length != header.Length) is { } bad)
        {
            throw new MlopsException(ErrorCodes.NotRegistrable, where, $"predictions.csv has a row of {bad.Length} fields under a header of {header.Length}", "Build the project again (dotnet build) so the evaluate step rewrites it");
        }

        return (header, records.Skip(1).ToList());
    }
}

/// <summary>Test-split rows counted by true class (rows) and predicted class (columns), in <see cref="Classes"/>' order.</summary>
internal sealed record ConfusionMatrix(IReadOnlyList<string> Classes, long[,] Counts, long Rows);

/// <summary>Residuals (label − prediction) of a regression's test split: count, mean, sample standard deviation and quantiles.</summary>
internal sealed record ResidualSummary(long Count, double Mean, double StandardDeviation, double Min, double Q05, double Q25, double Median, double Q75, double Q95, double Max);
