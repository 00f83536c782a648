using System.Globalization;
using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>Gates fail the build with an error that names metric, value, bound and project.</summary>
[TestFixture]
public sealed class GateTests
{
    [Test]
    public void GivenAnAucGateAboveTheAchievedValue_WhenBuilt_ThenTheBuildFailsNamingAuc()
    {
        using var churn = new PipelineWorkspace("churn");
        churn.EditProject("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"auc\" Min=\"0.99\" />");

        var build = churn.Build();

        Assert.That(build.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(build), Is.EqualTo(new[] { "BM2001" }), build.ToString());
        var auc = JsonDocument.Parse(File.ReadAllText(churn.Output("metrics.json"))).RootElement.GetProperty("auc").GetDouble();
        var expected = $"error BM2001: gate failed: auc {auc.ToString("F4", CultureInfo.InvariantCulture)} < 0.99 (project churn)";
        Assert.That(build.StandardOutput, Does.Contain(expected));
        Assert.That(build.StandardOutput, Does.Contain(churn.ProjectFile + "(14,"), "the error points at the gate's line in the project");
        Assert.That(build.StandardOutput, Does.Not.Contain("::error"), "annotations only under GitHub Actions");
    }

    [Test]
    public void GivenAFailedGate_WhenBuiltAgainUnchanged_ThenItStillFailsButDoesNotRetrain()
    {
        using var churn = new PipelineWorkspace("churn");
        churn.EditProject("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"auc\" Min=\"0.99\" />");
        Assert.That(churn.Build().ExitCode, Is.Not.Zero);

        var again = churn.Build();

        Assert.That(again.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.StepsThatRan(again), Is.EqualTo(new[] { "MlopsGate" }), again.StandardOutput);
    }

    [Test]
    public void GivenGitHubActions_WhenAGateFails_ThenAnErrorAnnotationIsWritten()
    {
        using var concrete = new PipelineWorkspace("concrete");
        concrete.EditProject("<MlopsGate Include=\"rmse\" Max=\"6.5\" />", "<MlopsGate Include=\"rmse\" Max=\"1.0\" />");

        var build = concrete.Build([], new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_WORKSPACE"] = concrete.Directory });

        Assert.That(build.ExitCode, Is.Not.Zero);
        Assert.That(build.StandardOutput, Does.Match(@"::error file=concrete\.csproj,line=\d+,col=\d+,title=BM2001::gate failed: rmse \d+\.\d{4} > 1 \(project concrete\)"));
    }

    [TestCase("churn", "auc", 0.83, TestName = "GivenChurnWithDefaults_WhenBuilt_ThenGatesPassAndAucIsAtLeast0.83")]
    [TestCase("concrete", "r2", 0.88, TestName = "GivenConcreteWithDefaults_WhenBuilt_ThenGatesPassAndR2IsAtLeast0.88")]
    [TestCase("credit", "auc", 0.78, TestName = "GivenCreditWithItsNaCells_WhenBuilt_ThenGatesPassAndAucIsAtLeast0.78")]
    public void GivenAnExamplePipeline_WhenBuiltWithDefaults_ThenItsGatesPass(string pipeline, string metric, double atLeast)
    {
        using var workspace = new PipelineWorkspace(pipeline);

        var build = workspace.Build();

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        var gates = JsonDocument.Parse(File.ReadAllText(workspace.Output("gates.json"))).RootElement;
        Assert.That(gates.GetArrayLength(), Is.GreaterThan(0));
        Assert.That(gates.EnumerateArray().All(gate => gate.GetProperty("passed").GetBoolean()), Is.True);
        var value = JsonDocument.Parse(File.ReadAllText(workspace.Output("metrics.json"))).RootElement.GetProperty(metric).GetDouble();
        Assert.That(value, Is.GreaterThanOrEqualTo(atLeast));
    }
}
