namespace BuildMlops.GitHub;

/// <summary>What one model project did in this pull request: its metrics against production, what changed, and its history.</summary>
/// <param name="Name">The pipeline's name, e.g. <c>churn</c>.</param>
/// <param name="ProjectPath">The model project file, relative to the repository root or absolute (made relative to <c>GITHUB_WORKSPACE</c>): annotations point at it.</param>
/// <param name="Origin">Whether the model was trained, restored from the run cache or already up to date.</param>
/// <param name="Metrics">One row per metric, in the order to show them.</param>
public sealed record PipelineReport(string Name, string ProjectPath, ModelOrigin Origin, IReadOnlyList<MetricRow> Metrics)
{
    /// <summary>The production version the rows compare with (e.g. <c>v3</c>); null when there is none yet.</summary>
    public string? ProductionVersion { get; init; }

    /// <summary>Data files whose content differs from production's.</summary>
    public IReadOnlyList<ReportChange> DataChanges { get; init; } = [];

    /// <summary>Parameters (properties, hyperparameters, column settings) that differ from production's.</summary>
    public IReadOnlyList<ReportChange> ParameterChanges { get; init; } = [];

    /// <summary>The registered versions, oldest first; the charts add this pull request's values after them.</summary>
    public IReadOnlyList<HistoryPoint> History { get; init; } = [];

    /// <summary>Whether any gate failed.</summary>
    public bool Failed => Metrics.Any(row => row.Verdict == GateVerdict.Fail);
}
