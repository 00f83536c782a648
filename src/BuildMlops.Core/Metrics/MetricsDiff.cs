using System.Globalization;
using System.Text;
using BuildMlops.Gate;
using BuildMlops.ModelRegistry;
using BuildMlops.Spec;

namespace BuildMlops.Metrics;

/// <summary>One metric of a diff: the baseline's value, the current one, and the current build's gates on it.</summary>
public sealed record MetricsDiffRow(string Metric, double? Baseline, double? Current, double? Delta, string? Gate, bool? Passed);

/// <summary>
/// The current model's metrics against a baseline's (a registry alias or version, or the metrics a
/// git ref's lock file recorded), with the pass or fail of each gate of the current build: what
/// <c>mlops metrics diff</c> prints as a markdown table or JSON, and what a PR report shows.
/// </summary>
public sealed record MetricsDiff(string Against, string BaselineDescription, IReadOnlyList<MetricsDiffRow> Rows)
{
    public bool GatesPassed => Rows.All(row => row.Passed != false);

    /// <summary>Rows in the task's metric order (then any others by name), one per metric either side has.</summary>
    public static MetricsDiff Compute(string against, string baselineDescription, TaskKind task, IReadOnlyDictionary<string, double>? baseline, IReadOnlyDictionary<string, double> current, GateSummary? gates)
    {
        var names = MetricNames.For(task)
            .Concat(current.Keys.Concat(baseline?.Keys ?? []).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Where(name => current.ContainsKey(name) || (baseline?.ContainsKey(name) ?? false));
        var rows = new List<MetricsDiffRow>();
        foreach (var name in names)
        {
            double? before = baseline is not null && baseline.TryGetValue(name, out var b) ? b : null;
            double? after = current.TryGetValue(name, out var a) ? a : null;
            var outcomes = gates?.Results.Where(result => result.Metric == name).ToList() ?? [];
            rows.Add(new MetricsDiffRow(
                name,
                before,
                after,
                before is { } x && after is { } y ? y - x : null,
                // A gate without bounds is a baseline gate (Against): gates.json's pass covers its comparison.
                outcomes.Count == 0 ? null : string.Join("; ", outcomes.Select(outcome => outcome.DescribeBounds() is { Length: > 0 } bounds ? bounds : "against the baseline")),
                outcomes.Count == 0 ? null : outcomes.All(outcome => outcome.Passed)));
        }

        return new MetricsDiff(against, baselineDescription, rows);
    }

    /// <summary>A GitHub-flavoured markdown table; deltas signed, better or worse marked by the metric's direction.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"| metric | {Escape(BaselineDescription)} | current | delta | gate |\n");
        text.Append("| --- | ---: | ---: | ---: | --- |\n");
        foreach (var row in Rows)
        {
            var gate = row.Passed switch
            {
                true => row.Gate is { Length: > 0 } ? $"pass ({row.Gate})" : "pass",
                false => row.Gate is { Length: > 0 } ? $"**fail** ({row.Gate})" : "**fail**",
                null => "",
            };
            text.Append(CultureInfo.InvariantCulture, $"| {row.Metric} | {Number(row.Baseline)} | {Number(row.Current)} | {Delta(row)} | {Escape(gate)} |\n");
        }

        return text.ToString();
    }

    private static string Delta(MetricsDiffRow row)
    {
        if (row.Delta is not { } delta)
        {
            return "";
        }

        var text = delta.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);
        var better = MetricNames.LowerIsBetter(row.Metric) ? delta < 0 : delta > 0;
        return delta == 0 ? text : better ? text + " ▲" : text + " ▼";
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "—";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
