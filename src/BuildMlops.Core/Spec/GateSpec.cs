using System.Globalization;

namespace BuildMlops.Spec;

/// <summary>
/// An <c>MlopsGate</c> item: the build fails unless <c>Min &lt;= metric &lt;= Max</c> and, with
/// <see cref="Against"/>, unless the metric is no worse than the model behind that registry alias by
/// more than <see cref="MaxDrop"/> beyond the noise of the test split.
/// </summary>
public sealed record GateSpec(string Metric, double? Min, double? Max)
{
    /// <summary>The registry alias to compare with (e.g. <c>production</c>), or null for fixed bounds only.</summary>
    public string? Against { get; init; }

    /// <summary>How much worse than the baseline the metric may be (in the metric's units), beyond noise.</summary>
    public double MaxDrop { get; init; }

    /// <summary>The bounds as text, stable across cultures; part of the gate step's fingerprint.</summary>
    public string Describe() =>
        string.Join(" ", new[]
        {
            Min is { } min ? "min=" + min.ToString("R", CultureInfo.InvariantCulture) : null,
            Max is { } max ? "max=" + max.ToString("R", CultureInfo.InvariantCulture) : null,
            Against is { } against ? "against=" + against + " max_drop=" + MaxDrop.ToString("R", CultureInfo.InvariantCulture) : null,
        }.Where(part => part is not null));
}
