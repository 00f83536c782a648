namespace BuildMlops.Spec;

/// <summary>An <c>MlopsGate</c> item: the build fails unless <c>Min &lt;= metric &lt;= Max</c>.</summary>
public sealed record GateSpec(string Metric, double? Min, double? Max)
{
    /// <summary>The bounds as text, stable across cultures; part of the gate step's fingerprint.</summary>
    public string Describe() =>
        string.Join(" ", new[]
        {
            Min is { } min ? "min=" + min.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
            Max is { } max ? "max=" + max.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
        }.Where(part => part is not null));
}
