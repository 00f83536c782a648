using System.Globalization;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

public class PrReportMarkdownTests
{
    [Test]
    public void GivenAFailedGateWithHistory_WhenRendered_ThenTheCommentMatchesItsGoldenFile() =>
        TestFiles.AssertGolden("pr-report-one-gate-failed.md", PrReportMarkdown.Comment(SampleReports.OneGateFailed()));

    [Test]
    public void GivenTheFirstModelOfARepository_WhenRendered_ThenTheCommentMatchesItsGoldenFile() =>
        TestFiles.AssertGolden("pr-report-first-model.md", PrReportMarkdown.Comment(SampleReports.FirstModel()));

    [Test]
    public void GivenAReport_WhenRenderedAsAComment_ThenTheHiddenMarkerIsTheFirstLineAndTheRestIsTheBody()
    {
        var report = SampleReports.OneGateFailed();

        var comment = PrReportMarkdown.Comment(report);

        Assert.That(comment, Does.StartWith("<!-- buildmlops-report -->\n"));
        Assert.That(comment[(PrReportMarkdown.Marker.Length + 1)..], Is.EqualTo(PrReportMarkdown.Body(report)));
        Assert.That(PullRequestCommenter.IsReport(comment), Is.True);
    }

    [Test]
    public void GivenAMachineWithACommaDecimalCulture_WhenRendered_ThenTheMarkdownIsTheSame()
    {
        var expected = PrReportMarkdown.Comment(SampleReports.OneGateFailed());
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.That(PrReportMarkdown.Comment(SampleReports.OneGateFailed()), Is.EqualTo(expected));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Test]
    public void GivenFailedGates_WhenTitled_ThenTheTitleNamesThem()
    {
        Assert.That(PrReportMarkdown.Title(SampleReports.OneGateFailed()), Is.EqualTo("1 gate failed: churn auc"));
        Assert.That(PrReportMarkdown.Title(SampleReports.ManyFailures(5, "wide.csproj")), Is.EqualTo("5 gates failed: wide metric_001, wide metric_002, wide metric_003, …"));
        Assert.That(PrReportMarkdown.Title(SampleReports.AllPassed()), Is.EqualTo("2 gates passed"));
    }

    [Test]
    public void GivenAQuotedReport_WhenCheckedForTheMarker_ThenItIsNotTakenForTheReport()
    {
        var reply = "> " + PrReportMarkdown.Comment(SampleReports.AllPassed()).Replace("\n", "\n> ", StringComparison.Ordinal) + "\nWhy did auc drop?";

        Assert.That(PullRequestCommenter.IsReport(reply), Is.False);
        Assert.That(PullRequestCommenter.IsReport("\n" + PrReportMarkdown.Marker + "\nbody"), Is.True, "leading blank lines do not matter");
    }

    [Test]
    public void GivenCloseValues_WhenTheChartAxisIsChosen_ThenItSpansThemWithAMargin()
    {
        var (low, high, decimals) = MermaidChart.Axis([0.8301, 0.839, 0.8427, 0.8347]);

        Assert.That((low, high, decimals), Is.EqualTo((0.828, 0.844, 3)));
    }

    [Test]
    public void GivenOneValue_WhenTheChartAxisIsChosen_ThenItIsNotEmpty()
    {
        var (low, high, _) = MermaidChart.Axis([5.0, 5.0]);

        Assert.That(low, Is.LessThan(5.0));
        Assert.That(high, Is.GreaterThan(5.0));
    }

    [Test]
    public void GivenAMetricOnlyThisPullRequestHas_WhenCharted_ThenThereIsNoChart() =>
        Assert.That(MermaidChart.Render("churn: auc", "auc", [new HistoryPoint("v1", new Dictionary<string, double?>())], 0.84), Is.Null);
}
