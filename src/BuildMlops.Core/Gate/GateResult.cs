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

    /// <summary>e.g. <c>auc 0.8132 &lt; 0.85</c>, or <c>auc 0.8132 &gt;= 0.80</c> when it passed.</summary>
    public string Describe()
    {
        var value = Format(Value);
        if (!double.IsFinite(Value))
        {
            return $"{Gate.Metric} is undefined on the test split";
        }

        if (Gate.Min is { } min && Value < min)
        {
            return $"{Gate.Metric} {value} < {Format(min)}";
        }

        if (Gate.Max is { } max && Value > max)
        {
            return $"{Gate.Metric} {value} > {Format(max)}";
        }

        var parts = new List<string>();
        if (Gate.Min is { } lower)
        {
            parts.Add($">= {Format(lower)}");
        }

        if (Gate.Max is { } upper)
        {
            parts.Add($"<= {Format(upper)}");
        }

        return $"{Gate.Metric} {value} {string.Join(" and ", parts)}";
    }

    private static string Format(double value) => value.ToString("0.0000##", CultureInfo.InvariantCulture);
}
