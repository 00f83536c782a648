using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>Every step is skipped by content, not timestamps, and the log says why a step ran.</summary>
[TestFixture]
public sealed class IncrementalBuildTests
{
    private PipelineWorkspace _churn = null!;
    private ProcessResult _firstBuild = null!;

    [OneTimeSetUp]
    public void BuildChurnOnce()
    {
        _churn = new PipelineWorkspace("churn", withLockFile: false);
        _firstBuild = _churn.Build();
        Assert.That(_firstBuild.ExitCode, Is.Zero, _firstBuild.ToString());
    }

    [OneTimeTearDown]
    public void Dispose() => _churn.Dispose();

    [Test, Order(1)]
    public void GivenNoLockFile_WhenBuilt_ThenEveryStepRunsAndSaysWhy()
    {
        Assert.That(BuildOutput.StepsThatRan(_firstBuild), Is.EqualTo(BuildOutput.Steps));
        Assert.That(_firstBuild.StandardOutput, Does.Contain("MlopsTrain: running because it has not run yet"));
        foreach (var output in new[] { "schema.json", "model.zip", "metrics.json", "predictions.csv", "gates.json" })
        {
            Assert.That(File.Exists(_churn.Output(output)), Is.True, output);
        }

        Assert.That(File.Exists(_churn.LockFile), Is.True);
    }

    [Test, Order(2)]
    public void GivenABuiltProject_WhenBuiltAgain_ThenNoStepRuns()
    {
        var model = Sha256.Of(_churn.Output("model.zip"));

        var second = _churn.Build();

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(BuildOutput.StepsThatRan(second), Is.Empty, second.StandardOutput);
        Assert.That(BuildOutput.StepsUpToDate(second), Is.EqualTo(BuildOutput.Steps));
        Assert.That(Sha256.Of(_churn.Output("model.zip")), Is.EqualTo(model));
    }

    [Test, Order(3)]
    public void GivenABuiltProject_WhenTheDataIsTouched_ThenNoStepRuns()
    {
        File.SetLastWriteTimeUtc(_churn.Data("wa_churn.csv"), DateTime.UtcNow);

        var build = _churn.Build();

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("data/wa_churn.csv (touched, content unchanged)"));
        Assert.That(BuildOutput.StepsThatRan(build), Is.Empty, build.StandardOutput);
    }

    [Test, Order(4)]
    public void GivenABuiltProject_WhenOnlyAGateThresholdChanges_ThenOnlyTheGateRuns()
    {
        _churn.EditProject("<MlopsGate Include=\"accuracy\" Min=\"0.78\" />", "<MlopsGate Include=\"accuracy\" Min=\"0.70\" />");

        var build = _churn.Build();

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(BuildOutput.StepsThatRan(build), Is.EqualTo(new[] { "MlopsGate" }), build.StandardOutput);
        Assert.That(build.StandardOutput, Does.Contain("gate accuracy changed from 'min=0.78' to 'min=0.7'"));
    }

    [Test, Order(5)]
    public void GivenABuiltProject_WhenTheSeedChanges_ThenItRetrainsAndTheModelChanges()
    {
        var before = Sha256.Of(_churn.Output("model.zip"));

        var build = _churn.Build("-p:MlopsSeed=7");

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("MlopsTrain: running because MlopsSeed changed from '42' to '7'"));
        Assert.That(BuildOutput.StepsThatRan(build), Is.EqualTo(new[] { "MlopsTrain", "MlopsEvaluate", "MlopsGate" }));
        Assert.That(Sha256.Of(_churn.Output("model.zip")), Is.Not.EqualTo(before));
    }

    [Test, Order(6)]
    public void GivenAModifiedOutput_WhenBuilt_ThenTheRunCacheRestoresIt()
    {
        var before = Sha256.Of(_churn.Output("metrics.json"));
        File.WriteAllText(_churn.Output("metrics.json"), "{}");

        var build = _churn.Build("-p:MlopsSeed=7");

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Match(@"MlopsEvaluate: restored from the run cache \(local cache, run [0-9a-f]{12}\) instead of running, because output bin/mlops/metrics\.json was modified"));
        Assert.That(Sha256.Of(_churn.Output("metrics.json")), Is.EqualTo(before));
    }

    [Test, Order(7)]
    public void GivenABuiltProject_WhenCleaned_ThenTheOutputsAreGone()
    {
        var clean = _churn.Dotnet("clean", _churn.ProjectFile, "-nodeReuse:false", "-tl:off");

        Assert.That(clean.ExitCode, Is.Zero, clean.ToString());
        Assert.That(File.Exists(_churn.Output("model.zip")), Is.False);
        Assert.That(File.Exists(_churn.Output("metrics.json")), Is.False);
        Assert.That(File.Exists(_churn.LockFile), Is.True, "the lock file is source, not output");
    }
}
