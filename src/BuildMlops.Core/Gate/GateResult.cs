using System.Globalization;
using BuildMlops.Spec;

namespace BuildMlops.Gate;

/// <summary>One gate checked against one metric value.</summary>
public sealed record GateResult(GateSpec Gate, double Value)
{
    public bool Passed =>
        double.IsFinite(Value)
        && (Gate.Min is not { } min || Value >= min)
        && (Gate.Max is not { } max || Value <= max);

    /// <summary>e.g. <c>auc 0.8132 &lt; 0.85</c>, or <c>auc 0.8132 &gt;= 0.8</c> when it passed.</summary>
    public string Describe()
    {
        if (!double.IsFinite(Value))
        {
            return $"{Gate.Metric} is undefined on the test split";
        }

        if (Gate.Min is { } min && Value < min)
        {
            return $"{Gate.Metric} {FormatValue(min)} < {FormatBound(min)}";
        }

        if (Gate.Max is { } max && Value > max)
        {
            return $"{Gate.Metric} {FormatValue(max)} > {FormatBound(max)}";
        }

        var parts = new List<string>();
        if (Gate.Min is { } lower)
        {
            parts.Add($">= {FormatBound(lower)}");
        }

        if (Gate.Max is { } upper)
        {
            parts.Add($"<= {FormatBound(upper)}");
        }

        return $"{Gate.Metric} {FormatValue(Gate.Min ?? Gate.Max ?? Value)} {string.Join(" and ", parts)}";
    }

    /// <summary>Four decimals, or as many more as it takes to tell the value from the bound it is compared with.</summary>
    private string FormatValue(double bound)
    {
        var digits = 4;
        while (digits < 15 && Math.Round(Value, digits) == bound && Value != bound)
        {
            digits++;
        }

        return Value.ToString("F" + digits, CultureInfo.InvariantCulture);
    }

    private static string FormatBound(double bound) => bound.ToString("R", CultureInfo.InvariantCulture);
}
