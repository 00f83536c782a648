using BuildMlops.Diagnostics;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

public class StepSummaryWriterTests
{
    [Test]
    public void GivenASummaryOtherStepsWrote_WhenAppended_ThenTheReportFollowsAfterABlankLine()
    {
        using var directory = new TemporaryDirectory("step-summary");
        var path = directory.Combine("summary.md");
        File.WriteAllText(path, "## Tests\n");

        Assert.That(StepSummaryWriter.Append(path, "## BuildMlops"), Is.True);
        Assert.That(StepSummaryWriter.Append(path, "again\n"), Is.True);

        Assert.That(File.ReadAllText(path), Is.EqualTo("## Tests\n\n## BuildMlops\n\nagain\n"));
    }

    [Test]
    public void GivenNoStepSummary_WhenAppended_ThenNothingIsWritten() =>
        Assert.That(StepSummaryWriter.Append(null, "## BuildMlops"), Is.False);

    [Test]
    public void GivenASummaryPathInAMissingFolder_WhenAppended_ThenBM9101()
    {
        using var directory = new TemporaryDirectory("step-summary");
        var path = directory.Combine("gone", "summary.md");

        var error = Assert.Throws<MlopsException>(() => StepSummaryWriter.Append(path, "## BuildMlops"))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.Location.File, Is.EqualTo(path));
    }
}
