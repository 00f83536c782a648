using System.Globalization;
using System.Text;

namespace BuildMlops.GitHub;

/// <summary>
/// A line chart of one metric over the registered versions and this pull request, as a Mermaid <c>xychart-beta</c>
/// block, which GitHub renders in comments, step summaries and check run output without any image hosting.
/// </summary>
internal static class MermaidChart
{
    /// <summary>The label of the last point, this pull request's value.</summary>
    public const string ThisPrLabel = "this PR";

    /// <summary>
    /// The fenced block for <paramref name="metric"/>, or null when fewer than two points have a value: one point
    /// is no trend. Versions without the metric are left out rather than drawn as zero.
    /// </summary>
    public static string? Render(string title, string metric, IReadOnlyList<HistoryPoint> history, double? thisPr)
    {
        var points = history
            .Select(point => (point.Label, Value: point.Metrics.TryGetValue(metric, out var value) ? value : null))
            .Append((Label: ThisPrLabel, Value: thisPr))
            .Where(point => point.Value is { } v && double.IsFinite(v))
            .Select(point => (point.Label, Value: point.Value!.Value))
            .ToList();
        if (points.Count < 2)
        {
            return null;
        }

        var (low, high, decimals) = Axis(points.Select(point => point.Value).ToList());
        var format = "0." + new string('0', decimals);
        var chart = new StringBuilder();
        chart.Append("```mermaid\n");
        chart.Append("xychart-beta\n");
        chart.Append("    title ").Append(Quote(title)).Append('\n');
        chart.Append("    x-axis [").Append(string.Join(", ", points.Select(point => Quote(point.Label)))).Append("]\n");
        chart.Append("    y-axis ").Append(Quote(metric)).Append(' ')
            .Append(low.ToString(decimals == 0 ? "0" : format, CultureInfo.InvariantCulture)).Append(" --> ")
            .Append(high.ToString(decimals == 0 ? "0" : format, CultureInfo.InvariantCulture)).Append('\n');
        chart.Append("    line [").Append(string.Join(", ", points.Select(point => point.Value.ToString("0.####", CultureInfo.InvariantCulture)))).Append("]\n");
        chart.Append("```\n");
        return chart.ToString();
    }

    /// <summary>
    /// An axis a tenth of the values' spread wider on each side, rounded outward to a step of a tenth of the spread's
    /// order of magnitude, so that small differences between versions stay visible instead of a flat line at 0..1.
    /// </summary>
    internal static (double Low, double High, int Decimals) Axis(IReadOnlyList<double> values)
    {
        var min = values.Min();
        var max = values.Max();
        var spread = max - min;
        if (spread <= 0)
        {
            spread = max != 0 ? Math.Abs(max) * 0.1 : 1;
        }

        var exponent = (int)Math.Floor(Math.Log10(spread)) - 1;
        var step = Math.Pow(10, exponent);
        var low = Math.Floor((min - spread * 0.1) / step) * step;
        var high = Math.Ceiling((max + spread * 0.1) / step) * step;
        var decimals = Math.Max(0, -exponent);
        return (Math.Round(low, decimals), Math.Round(high, decimals), decimals);
    }

    // Mermaid strings end at a double quote and cannot escape one.
    private static string Quote(string text) => "\"" + MarkdownText.OneLine(text).Replace('"', '\'') + "\"";
}
