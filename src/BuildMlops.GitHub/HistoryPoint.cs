namespace BuildMlops.GitHub;

/// <summary>One registered model version's metrics, a point on the report's charts.</summary>
/// <param name="Label">The version as the registry names it, e.g. <c>v3</c> (the x axis).</param>
/// <param name="Metrics">Metric name to value; a metric the version lacks or left undefined is absent or null, and left off its chart.</param>
public sealed record HistoryPoint(string Label, IReadOnlyDictionary<string, double?> Metrics);
