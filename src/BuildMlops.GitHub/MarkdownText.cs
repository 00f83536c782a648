using System.Globalization;

namespace BuildMlops.GitHub;

/// <summary>
/// Number formats and escapes shared by the Markdown this project writes. Invariant culture throughout: a report
/// must not change with the runner's locale, and the golden files pin it byte for byte.
/// </summary>
internal static class MarkdownText
{
    /// <summary>A metric value with four decimals, as the build log prints metrics; NaN when undefined.</summary>
    public static string Metric(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "NaN";

    /// <summary>A difference with its sign (+0.0012, -0.0080), and 0.0000 when it rounds to nothing.</summary>
    public static string Delta(double value)
    {
        var rounded = Math.Round(value, 4, MidpointRounding.AwayFromZero);
        return rounded switch
        {
            > 0 => "+" + rounded.ToString("0.0000", CultureInfo.InvariantCulture),
            < 0 => rounded.ToString("0.0000", CultureInfo.InvariantCulture),
            _ => "0.0000",
        };
    }

    /// <summary>Text as a code span; a backtick inside would end it early, so it becomes a quote.</summary>
    public static string Code(string text) => "`" + OneLine(text).Replace('`', '\'') + "`";

    /// <summary>Plain text that must not be read as HTML (a name with &lt; in it).</summary>
    public static string Text(string text) =>
        OneLine(text).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A table cell: a pipe would start a new cell, even inside a code span (GFM undoes <c>\|</c> there too).</summary>
    public static string Cell(string markdown) => markdown.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Anything that must stay on one line of a table or heading.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>"1 gate", "2 gates".</summary>
    public static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count.ToString(CultureInfo.InvariantCulture)} {noun}s";
}
