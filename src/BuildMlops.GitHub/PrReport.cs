namespace BuildMlops.GitHub;

/// <summary>
/// The pull request report: every pipeline the pull request built, compared with production. Rendered by
/// <see cref="PrReportMarkdown"/> and published by <see cref="PrReportPublisher"/>.
/// </summary>
/// <param name="Pipelines">The pipelines, in the order to show them.</param>
public sealed record PrReport(IReadOnlyList<PipelineReport> Pipelines)
{
    /// <summary>The commit the numbers are for (the pull request's head); shown in the heading.</summary>
    public string? CommitSha { get; init; }

    /// <summary>The workflow run's page, linked from the heading.</summary>
    public Uri? RunUrl { get; init; }

    /// <summary>True unless a gate failed: what the check run's conclusion and the job's exit code follow.</summary>
    public bool Passed => !Pipelines.Any(pipeline => pipeline.Failed);

    /// <summary>
    /// This report with every absolute project path made relative to <paramref name="workspace"/> (the checkout,
    /// <c>GITHUB_WORKSPACE</c>): readers and annotations know the repository, not the runner's disk.
    /// </summary>
    public PrReport WithPathsRelativeTo(string? workspace) => this with
    {
        Pipelines = Pipelines.Select(pipeline => pipeline with { ProjectPath = RepositoryPath.Relative(pipeline.ProjectPath, workspace) }).ToList(),
    };

    /// <summary>The failed gates, pipeline by pipeline.</summary>
    public IEnumerable<(PipelineReport Pipeline, MetricRow Row)> FailedGates =>
        Pipelines.SelectMany(pipeline => pipeline.Metrics.Where(row => row.Verdict == GateVerdict.Fail).Select(row => (pipeline, row)));
}
