namespace BuildMlops.GitHub;

/// <summary>One metric of one pipeline in the pull request report: production's value, this pull request's, and the gate's verdict.</summary>
/// <param name="Metric">The metric's name as in metrics.json, e.g. <c>auc</c>.</param>
/// <param name="Production">The production model's value; null when there is no production model or it lacks the metric.</param>
/// <param name="ThisPr">This pull request's value; null when the metric is undefined on the test split (printed NaN, as in the build log).</param>
/// <param name="Verdict">What the metric's gates said.</param>
public sealed record MetricRow(string Metric, double? Production, double? ThisPr, GateVerdict Verdict)
{
    /// <summary>The low end of the interval around <see cref="ThisPr"/> (e.g. a bootstrap 95 % interval), when one was computed.</summary>
    public double? IntervalLow { get; init; }

    public double? IntervalHigh { get; init; }

    /// <summary>The gate's bound as a person reads it, e.g. <c>≥ 0.85</c> or <c>≥ production - 0.01</c>.</summary>
    public string? Gate { get; init; }

    /// <summary>The line of the project file that declares the gate (its <c>MlopsGate</c> item), for the failure annotation; null: line 1.</summary>
    public int? GateLine { get; init; }

    /// <summary>What the failure annotation says, e.g. BM2001's message; null: made from the metric, value and <see cref="Gate"/>.</summary>
    public string? GateMessage { get; init; }

    /// <summary>This pull request's value minus production's, when both are known.</summary>
    public double? Delta => Production is { } production && ThisPr is { } value ? value - production : null;
}
