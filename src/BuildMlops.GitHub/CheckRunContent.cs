using System.Text;

namespace BuildMlops.GitHub;

/// <summary>What the BuildMlops check run says: its conclusion, the output's title, summary and text, and the annotations.</summary>
public sealed record CheckRunContent(bool Success, string Title, string Summary, string? Text, IReadOnlyList<CheckAnnotation> Annotations)
{
    /// <summary>
    /// The check run for <paramref name="report"/>: failure when a gate failed, the report as summary, the failed
    /// gates listed as text, and one annotation per failed gate on its model project file, at the gate's line.
    /// <paramref name="workspace"/> (<c>GITHUB_WORKSPACE</c>) makes absolute project paths relative to the repository.
    /// </summary>
    public static CheckRunContent FromReport(PrReport report, string? workspace)
    {
        var annotations = report.FailedGates
            .Select(gate => new CheckAnnotation(
                RepositoryPath.Relative(gate.Pipeline.ProjectPath, workspace),
                gate.Row.GateLine is > 0 ? gate.Row.GateLine.Value : 1,
                $"{Diagnostics.ErrorCodes.GateFailed} {gate.Pipeline.Name}: {gate.Row.Metric}",
                gate.Row.GateMessage ?? DefaultMessage(gate.Pipeline, gate.Row)))
            .ToList();
        string? text = null;
        if (annotations.Count > 0)
        {
            var failures = new StringBuilder("Failed gates:\n\n");
            foreach (var annotation in annotations)
            {
                failures.Append("- ").Append(MarkdownText.Code($"{annotation.Path}:{annotation.Line}")).Append(' ').Append(MarkdownText.OneLine(annotation.Message)).Append('\n');
            }

            text = failures.ToString();
        }

        return new CheckRunContent(report.Passed, PrReportMarkdown.Title(report), PrReportMarkdown.Body(report), text, annotations);
    }

    private static string DefaultMessage(PipelineReport pipeline, MetricRow row) =>
        $"gate failed: {row.Metric} {MarkdownText.Metric(row.ThisPr)}{(row.Gate is null ? "" : $", gate {row.Gate}")} (project {pipeline.Name})";
}
