using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>Each step is a target that can run alone, with the steps before it.</summary>
[TestFixture]
public sealed class StepTargetTests
{
    [Test]
    public void GivenAFreshProject_WhenOnlyMlopsTrainIsBuilt_ThenItTrainsButDoesNotEvaluate()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);

        var build = concrete.Build("-t:MlopsTrain");

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(BuildOutput.StepsThatRan(build), Is.EqualTo(new[] { "MlopsValidateData", "MlopsTrain" }));
        Assert.That(File.Exists(concrete.Output("model.zip")), Is.True);
        Assert.That(File.Exists(concrete.Output("metrics.json")), Is.False);
    }

    [Test]
    public void GivenMlopsEnabledFalse_WhenBuilt_ThenNoStepRuns()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);

        var build = concrete.Build("-p:MlopsEnabled=false");

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Not.Contain("MlopsHashData"));
        Assert.That(Directory.Exists(Path.Combine(concrete.Directory, "bin", "mlops")), Is.False);
    }
}
