using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Spec;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class GateAndAnnotationTests
{
    [TestCase(0.8132, 0.85, null, false, "auc 0.8132 < 0.85")]
    [TestCase(0.84996, 0.85, null, false, "auc 0.84996 < 0.85")]
    [TestCase(0.9, 0.85, null, true, "auc 0.9000 >= 0.85")]
    [TestCase(0.9, 0.85, 0.95, true, "auc 0.9000 >= 0.85 and <= 0.95")]
    [TestCase(0.97, 0.85, 0.95, false, "auc 0.9700 > 0.95")]
    public void GivenAGate_WhenChecked_ThenTheVerdictAndItsWordingFollowTheBounds(double value, double? min, double? max, bool passed, string description)
    {
        var result = new GateResult(new GateSpec("auc", min, max), value);

        Assert.That(result.Passed, Is.EqualTo(passed));
        Assert.That(result.Describe(), Is.EqualTo(description));
    }

    [Test]
    public void GivenAnUndefinedMetric_WhenGated_ThenItFails()
    {
        Assert.That(new GateResult(new GateSpec("r2", 0.5, null), double.NaN).Passed, Is.False);
    }

    [Test]
    public void GivenAnError_WhenAnnotatedForGitHub_ThenPathIsWorkspaceRelativeAndSpecialCharactersAreEscaped()
    {
        var error = new MlopsException("BM2001", new SourceLocation("/repo/models/churn.csproj", 14, 5), "gate failed: 50% of it, really", "line one\nline two");

        var annotation = GitHubAnnotation.Error(error, "/repo");

        Assert.That(annotation, Is.EqualTo("::error file=models/churn.csproj,line=14,col=5,title=BM2001::gate failed: 50%25 of it, really. line one%0Aline two"));
    }
}
