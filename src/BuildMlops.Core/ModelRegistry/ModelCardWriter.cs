using System.Globalization;
using System.Text;
using BuildMlops.HashData;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// Writes a version's <c>card.md</c>: what the model predicts, the data it saw, how it was trained, its
/// metrics (with intervals when metrics.json has them), gate results, a confusion matrix or residual
/// summary of the test split, the input schema and its lineage. Plain Markdown with tables, so it reads
/// well in a terminal, on GitHub and in a bucket browser. Everything comes from the files registered
/// with the version; the card adds nothing those files do not say.
/// </summary>
internal static class ModelCardWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(RegisteredVersion version, Lineage lineage, SchemaProfile? schema, IReadOnlyDictionary<string, MetricInterval> intervals, string? predictionsCsv)
    {
        var card = new StringBuilder();
        card.Append(CultureInfo.InvariantCulture, $"# Model card: {version.Model}, version {version.Version}\n\n");
        card.Append("| | |\n| --- | --- |\n");
        Row(card, "registered", $"{RegistryJson.Time(version.RegisteredAt)} by {Escape(version.RegisteredBy)} on {Escape(lineage.Machine)}");
        Row(card, "model", $"`model.zip`, {Count(version.ModelFile.Size)} bytes, sha256 `{version.ModelSha256}`");
        Row(card, "gates", version.Gates.Results.Count == 0 ? "none declared" : version.Gates.Passed ? $"all {version.Gates.Results.Count} passed" : $"**failed**: {Escape(string.Join("; ", version.Gates.DescribeFailures()))}");
        Row(card, "fingerprint", $"`{version.Fingerprint}` (model.zip, metrics.json and mlops.lock.json)");

        WritePrediction(card, version, schema);
        WriteData(card, lineage, schema);
        WriteTraining(card, lineage);
        WriteMetrics(card, version, intervals);
        WriteGates(card, version);
        WriteTestSplit(card, version, schema, predictionsCsv);
        WriteInputSchema(card, schema);
        WriteLineage(card, lineage);
        return card.ToString();
    }

    private static void WritePrediction(StringBuilder card, RegisteredVersion version, SchemaProfile? schema)
    {
        card.Append("\n## What it predicts\n\n");
        var classes = schema?.LabelCounts.Select(count => count.Key).ToList() ?? [];
        switch (version.Task)
        {
            case "binary":
                var other = classes.Where(name => name != version.PositiveClass).Select(name => $"`{Escape(name)}`").ToList();
                card.Append(CultureInfo.InvariantCulture, $"A binary classifier of `{Escape(version.Label)}`: the probability that it is `{Escape(version.PositiveClass ?? "?")}`, the positive class{(other.Count > 0 ? $" (the other class is {string.Join(", ", other)})" : "")}.\n");
                break;
            case "multiclass":
                card.Append(CultureInfo.InvariantCulture, $"A multiclass classifier of `{Escape(version.Label)}`: one of {classes.Count} classes ({string.Join(", ", classes.Select(name => $"`{Escape(name)}`"))}), with a probability for each.\n");
                break;
            default:
                card.Append(CultureInfo.InvariantCulture, $"A regression of `{Escape(version.Label)}`: a number.\n");
                break;
        }
    }

    private static void WriteData(StringBuilder card, Lineage lineage, SchemaProfile? schema)
    {
        // The column is named by the algorithm when every row shares one (as a pointer file names it);
        // mixed data shows each hash with its algorithm.
        var algorithms = lineage.Data.Select(data => data.Id?.Algorithm).Distinct().ToList();
        var shared = algorithms is [{ } only] ? only : (ContentHashAlgorithm?)null;
        card.Append(CultureInfo.InvariantCulture, $"\n## Data\n\n| data | {shared?.Name() ?? (lineage.Data.Count == 0 ? "sha256" : "hash")} | bytes |\n| --- | --- | ---: |\n");
        foreach (var data in lineage.Data)
        {
            var hash = shared is not null ? data.Id!.Value.Hash : data.Hash;
            card.Append(CultureInfo.InvariantCulture, $"| {Escape(data.Name)} | `{hash}` | {(data.Size is { } size ? Count(size) : "unknown")} |\n");
        }

        if (schema is null)
        {
            card.Append("\nNo schema.json was registered: rows, label balance and missing values are unknown.\n");
            return;
        }

        card.Append(CultureInfo.InvariantCulture, $"\n{Count(schema.Rows)} usable rows ({Count(schema.DroppedRows)} left out: no label, or dropped for missing values).\n");
        if (schema.LabelCounts.Count > 0)
        {
            var total = schema.LabelCounts.Sum(count => count.Value);
            card.Append(CultureInfo.InvariantCulture, $"\nLabel balance:\n\n| {Escape(schema.LabelName)} | rows | share |\n| --- | ---: | ---: |\n");
            foreach (var (name, rows) in schema.LabelCounts)
            {
                card.Append(CultureInfo.InvariantCulture, $"| {Escape(name)} | {Count(rows)} | {(total == 0 ? 0 : 100.0 * rows / total).ToString("0.0", Invariant)} % |\n");
            }
        }

        var missing = schema.Columns.Where(column => column.Missing > 0).ToList();
        if (missing.Count == 0)
        {
            card.Append("\nMissing values: none in the usable rows.\n");
        }
        else
        {
            card.Append("\nMissing values in the usable rows (other columns have none):\n\n| column | missing |\n| --- | ---: |\n");
            foreach (var column in missing)
            {
                card.Append(CultureInfo.InvariantCulture, $"| {Escape(column.Name)} | {Count(column.Missing)} |\n");
            }
        }
    }

    private static void WriteTraining(StringBuilder card, Lineage lineage)
    {
        card.Append("\n## Training\n\n| setting | value |\n| --- | --- |\n");
        Row(card, "trainer", $"`{Escape(lineage.Trainer)}`");
        foreach (var (name, label) in new[] { ("MlopsSeed", "seed"), ("MlopsTestFraction", "test fraction"), ("MlopsThreads", "threads"), ("MlopsMissingPolicy", "missing values"), ("MlopsFeatures", "features") })
        {
            if (lineage.Parameters.TryGetValue(name, out var value))
            {
                Row(card, label, value.Length == 0 ? "(all columns but the label)" : $"`{Escape(value)}`");
            }
        }

        if (lineage.Hyperparameters.Count == 0)
        {
            card.Append("\nHyperparameters: none set (the trainer's defaults).\n");
        }
        else
        {
            card.Append("\n| hyperparameter | value |\n| --- | --- |\n");
            foreach (var (name, value) in lineage.Hyperparameters)
            {
                Row(card, $"`{Escape(name)}`", $"`{Escape(value)}`");
            }
        }
    }

    private static void WriteMetrics(StringBuilder card, RegisteredVersion version, IReadOnlyDictionary<string, MetricInterval> intervals)
    {
        card.Append("\n## Metrics (test split)\n\n");
        // Intervals come from metrics.json when the evaluate or gate work records them; this column is their place.
        var levels = intervals.Values.Select(interval => interval.Level).Distinct().ToList();
        var intervalHeader = levels is [{ } level] ? $"{(level * 100).ToString("0.#", Invariant)} % interval" : "interval";
        card.Append(intervals.Count > 0 ? $"| metric | value | {intervalHeader} |\n| --- | ---: | ---: |\n" : "| metric | value |\n| --- | ---: |\n");
        foreach (var (name, value) in version.MetricValues)
        {
            var interval = intervals.Count == 0 ? "" : intervals.TryGetValue(name, out var found) ? $" [{Number(found.Lower)}, {Number(found.Upper)}]{(levels.Count > 1 && found.Level is { } own ? $" ({(own * 100).ToString("0.#", Invariant)} %)" : "")} |" : " |";
            card.Append(CultureInfo.InvariantCulture, $"| {Escape(name)} | {Number(value)} |{interval}\n");
        }
    }

    private static void WriteGates(StringBuilder card, RegisteredVersion version)
    {
        card.Append("\n## Gates\n\n");
        if (version.Gates.Results.Count == 0)
        {
            card.Append("The project declares no `MlopsGate`.\n");
            return;
        }

        card.Append("| metric | value | bounds | result |\n| --- | ---: | --- | --- |\n");
        foreach (var gate in version.Gates.Results)
        {
            card.Append(CultureInfo.InvariantCulture, $"| {Escape(gate.Metric)} | {Number(gate.Value ?? double.NaN)} | {gate.DescribeBounds()} | {(gate.Passed ? "passed" : "**failed**")} |\n");
        }
    }

    private static void WriteTestSplit(StringBuilder card, RegisteredVersion version, SchemaProfile? schema, string? predictionsCsv)
    {
        if (predictionsCsv is null)
        {
            return;
        }

        var where = new Diagnostics.SourceLocation(RegisteredFile.Predictions);
        if (version.Task == "regression")
        {
            var residuals = PredictionsSummary.Residuals(predictionsCsv, where);
            card.Append(CultureInfo.InvariantCulture, $"\n## Residuals (test split, {Count(residuals.Count)} rows)\n\nResidual = label − prediction; standard deviation with n − 1; quantiles interpolated linearly.\n\n");
            card.Append("| mean | std | min | 5 % | 25 % | median | 75 % | 95 % | max |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            card.Append(CultureInfo.InvariantCulture, $"| {Number(residuals.Mean)} | {Number(residuals.StandardDeviation)} | {Number(residuals.Min)} | {Number(residuals.Q05)} | {Number(residuals.Q25)} | {Number(residuals.Median)} | {Number(residuals.Q75)} | {Number(residuals.Q95)} | {Number(residuals.Max)} |\n");
            return;
        }

        var matrix = PredictionsSummary.Confusion(predictionsCsv, schema?.LabelCounts.Select(count => count.Key) ?? [], where);
        card.Append(CultureInfo.InvariantCulture, $"\n## Confusion matrix (test split, {Count(matrix.Rows)} rows)\n\nRows: the true class; columns: the predicted class.\n\n");
        card.Append("| true \\ predicted |").Append(string.Concat(matrix.Classes.Select(name => $" {Escape(name)} |"))).Append('\n');
        card.Append("| --- |").Append(string.Concat(matrix.Classes.Select(_ => " ---: |"))).Append('\n');
        for (var row = 0; row < matrix.Classes.Count; row++)
        {
            card.Append(CultureInfo.InvariantCulture, $"| {Escape(matrix.Classes[row])} |");
            for (var column = 0; column < matrix.Classes.Count; column++)
            {
                card.Append(CultureInfo.InvariantCulture, $" {Count(matrix.Counts[row, column])} |");
            }

            card.Append('\n');
        }
    }

    private static void WriteInputSchema(StringBuilder card, SchemaProfile? schema)
    {
        if (schema is null)
        {
            return;
        }

        card.Append("\n## Input schema\n\nOne input column per feature, named as in the data; a missing number is NaN.\n\n| feature | type | missing | min | max | mean | categories |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var column in schema.Features)
        {
            card.Append(CultureInfo.InvariantCulture, $"| {Escape(column.Name)} | {column.Type} | {Count(column.Missing)} | {Optional(column.Min)} | {Optional(column.Max)} | {Optional(column.Mean)} | {(column.Categories is { } categories ? Count(categories) : "")} |\n");
        }

        var ignored = schema.Columns.Where(column => column.Role == "ignored").Select(column => Escape(column.Name)).ToList();
        if (ignored.Count > 0)
        {
            card.Append(CultureInfo.InvariantCulture, $"\nNot used: {string.Join(", ", ignored)}.\n");
        }
    }

    private static void WriteLineage(StringBuilder card, Lineage lineage)
    {
        card.Append("\n## Lineage\n\n| | |\n| --- | --- |\n");
        Row(card, "project", $"`{Escape(lineage.Project)}`");
        Row(card, "git commit", lineage.GitCommit is null ? "not in a git work tree" : $"`{lineage.GitCommit}`{(lineage.GitDirty == true ? " with uncommitted changes" : "")}");
        foreach (var (name, label) in new[] { ("buildmlops", "BuildMlops"), ("mlnet", "ML.NET"), ("runtime", ".NET runtime") })
        {
            Row(card, $"{label} (trained with)", lineage.Versions.TryGetValue(name, out var version) ? version : "unknown");
        }

        Row(card, "registered with", $"BuildMlops {lineage.RegisteredWith}");
        Row(card, "image", lineage.ImageDigest is null ? "not packaged" : $"`{lineage.ImageDigest}`");
        Row(card, "registered", $"{RegistryJson.Time(lineage.RegisteredAt)} by {Escape(lineage.RegisteredBy)} on {Escape(lineage.Machine)}");
    }

    private static void Row(StringBuilder card, string name, string value) => card.Append(CultureInfo.InvariantCulture, $"| {name} | {value} |\n");

    private static string Count(long value) => value.ToString("N0", Invariant);

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.0000", Invariant) : "undefined";

    private static string Optional(double? value) => value is { } number && double.IsFinite(number) ? number.ToString("0.####", Invariant) : "";

    /// <summary>A table cell may not contain '|' or a line break.</summary>
    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
