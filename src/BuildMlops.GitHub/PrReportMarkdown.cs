using System.Text;

namespace BuildMlops.GitHub;

/// <summary>
/// Renders a <see cref="PrReport"/> as GitHub-flavoured Markdown: a heading with the verdict, then per pipeline the
/// metric table (production, this PR, delta, interval, gate), what changed in data and parameters, whether the model
/// was trained or restored, and a Mermaid chart of each gated metric over the registered versions. Deterministic (no
/// clock, no culture), so the golden files under tests/BuildMlops.GitHub.Tests/Golden pin it.
/// </summary>
public static class PrReportMarkdown
{
    /// <summary>
    /// The hidden first line of the pull request comment. Later runs find their comment by it and edit it rather than
    /// adding another; it is an HTML comment, so GitHub shows nothing of it.
    /// </summary>
    public const string Marker = "<!-- buildmlops-report -->";

    /// <summary>The pull request comment: <see cref="Marker"/>, then <see cref="Body"/>.</summary>
    public static string Comment(PrReport report) => Marker + "\n" + Body(report);

    /// <summary>The report without the marker: the step summary and the check run's summary.</summary>
    public static string Body(PrReport report)
    {
        var markdown = new StringBuilder();
        markdown.Append("## BuildMlops: ").Append(report.Passed ? "✅ " : "❌ ").Append(Verdict(report)).Append("\n\n");
        var about = new List<string>();
        if (report.CommitSha is not null)
        {
            about.Add("Commit " + report.CommitSha); // bare, so that GitHub links it to the commit
        }

        if (report.RunUrl is not null)
        {
            about.Add($"[workflow run]({report.RunUrl})");
        }

        if (about.Count > 0)
        {
            markdown.Append(string.Join(" · ", about)).Append("\n\n");
        }

        if (report.Pipelines.Count == 0)
        {
            markdown.Append("No model pipeline was built.\n");
        }

        foreach (var pipeline in report.Pipelines)
        {
            Pipeline(markdown, pipeline);
        }

        return markdown.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>One line for the check run's title: how many gates failed and which, or how many passed.</summary>
    public static string Title(PrReport report)
    {
        var failed = report.FailedGates.ToList();
        if (failed.Count > 0)
        {
            var names = failed.Take(3).Select(gate => $"{gate.Pipeline.Name} {gate.Row.Metric}");
            return $"{MarkdownText.Count(failed.Count, "gate")} failed: {string.Join(", ", names)}{(failed.Count > 3 ? ", …" : "")}";
        }

        return Verdict(report);
    }

    private static string Verdict(PrReport report)
    {
        var rows = report.Pipelines.SelectMany(pipeline => pipeline.Metrics).ToList();
        var failed = rows.Count(row => row.Verdict == GateVerdict.Fail);
        if (failed > 0)
        {
            return $"{MarkdownText.Count(failed, "gate")} failed";
        }

        var passed = rows.Count(row => row.Verdict == GateVerdict.Pass);
        var noBaseline = rows.Count(row => row.Verdict == GateVerdict.NoBaseline);
        var text = passed > 0 ? $"{MarkdownText.Count(passed, "gate")} passed" : "no gate failed";
        return noBaseline > 0 ? $"{text}, {noBaseline} without a production baseline" : text;
    }

    private static void Pipeline(StringBuilder markdown, PipelineReport pipeline)
    {
        markdown.Append("### ").Append(pipeline.Failed ? "❌ " : "✅ ").Append(MarkdownText.Text(pipeline.Name)).Append("\n\n");
        var origin = pipeline.Origin switch
        {
            ModelOrigin.Trained => "model trained in this run",
            ModelOrigin.Restored => "model restored from the run cache (trained by an earlier run from the same inputs)",
            _ => "model up to date with mlops.lock.json (nothing ran)",
        };
        var baseline = pipeline.ProductionVersion is null ? "no production version yet" : $"compared with production {MarkdownText.Code(pipeline.ProductionVersion)}";
        markdown.Append(MarkdownText.Code(pipeline.ProjectPath.Replace('\\', '/'))).Append(" · ").Append(origin).Append(" · ").Append(baseline).Append("\n\n");

        if (pipeline.Metrics.Count > 0)
        {
            markdown.Append("| metric | production | this PR | delta | interval | gate |\n");
            markdown.Append("| --- | ---: | ---: | ---: | :---: | --- |\n");
            foreach (var row in pipeline.Metrics)
            {
                var cells = new[]
                {
                    MarkdownText.Code(row.Metric),
                    row.Production is null ? "—" : MarkdownText.Metric(row.Production),
                    MarkdownText.Metric(row.ThisPr),
                    row.Delta is { } delta ? MarkdownText.Delta(delta) : "",
                    row.IntervalLow is { } low && row.IntervalHigh is { } high ? $"{MarkdownText.Metric(low)} – {MarkdownText.Metric(high)}" : "",
                    Gate(row),
                };
                markdown.Append("| ").Append(string.Join(" | ", cells.Select(MarkdownText.Cell))).Append(" |\n");
            }

            markdown.Append('\n');
        }

        Changes(markdown, pipeline);

        var charts = pipeline.Metrics
            .Where(row => row.Verdict != GateVerdict.NotGated)
            .Select(row => MermaidChart.Render($"{pipeline.Name}: {row.Metric}", row.Metric, pipeline.History, row.ThisPr))
            .OfType<string>()
            .ToList();
        if (charts.Count > 0)
        {
            markdown.Append("**Gated metrics over the registered versions**\n\n");
            foreach (var chart in charts)
            {
                markdown.Append(chart).Append('\n');
            }
        }
    }

    private static string Gate(MetricRow row)
    {
        var bound = row.Gate is null ? "" : $" ({MarkdownText.OneLine(row.Gate)})";
        return row.Verdict switch
        {
            GateVerdict.Pass => "✅ pass" + bound,
            GateVerdict.Fail => "❌ **fail**" + bound,
            GateVerdict.NoBaseline => "➖ no baseline" + bound,
            _ => "not gated",
        };
    }

    private static void Changes(StringBuilder markdown, PipelineReport pipeline)
    {
        if (pipeline.DataChanges.Count == 0 && pipeline.ParameterChanges.Count == 0)
        {
            markdown.Append(pipeline.ProductionVersion is null
                ? "No production version to compare data and parameters with.\n\n"
                : "Data and parameters are the same as production's.\n\n");
            return;
        }

        markdown.Append("**What changed from production**\n\n");
        markdown.Append("| input | production | this PR |\n");
        markdown.Append("| --- | --- | --- |\n");
        foreach (var (kind, change) in pipeline.DataChanges.Select(change => ("data", change)).Concat(pipeline.ParameterChanges.Select(change => ("parameter", change))))
        {
            var cells = new[]
            {
                $"{change.Kind ?? kind} {MarkdownText.Code(change.Name)}",
                change.Before is null ? "*(new)*" : MarkdownText.Code(change.Before),
                change.After is null ? "*(removed)*" : MarkdownText.Code(change.After),
            };
            markdown.Append("| ").Append(string.Join(" | ", cells.Select(MarkdownText.Cell))).Append(" |\n");
        }

        markdown.Append('\n');
    }
}
