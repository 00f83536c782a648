using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>Two clean builds of the same inputs give the same bytes, whatever the processor count.</summary>
[TestFixture]
public sealed class DeterminismTests
{
    [Test]
    public void GivenTwoFreshCopies_WhenBuiltWithDifferentProcessorCounts_ThenModelMetricsAndLockAreByteIdentical()
    {
        using var first = new PipelineWorkspace("churn");
        using var second = new PipelineWorkspace("churn");
        var committedLock = File.ReadAllText(first.LockFile);

        var one = first.Build([], new Dictionary<string, string?> { ["DOTNET_PROCESSOR_COUNT"] = "1" });
        var two = second.Build([], new Dictionary<string, string?> { ["DOTNET_PROCESSOR_COUNT"] = "8" });

        Assert.That(one.ExitCode, Is.Zero, one.ToString());
        Assert.That(two.ExitCode, Is.Zero, two.ToString());
        Assert.That(one.StandardOutput, Does.Contain("MlopsTrain: running because output bin/mlops/model.zip is missing"), "a fresh clone has the lock but no model");
        foreach (var output in new[] { "model.zip", "metrics.json", "predictions.csv", "schema.json" })
        {
            Assert.That(Sha256.Of(second.Output(output)), Is.EqualTo(Sha256.Of(first.Output(output))), output);
        }

        Assert.That(File.ReadAllText(second.LockFile), Is.EqualTo(File.ReadAllText(first.LockFile)));
        Assert.That(File.ReadAllText(first.LockFile), Is.EqualTo(committedLock), "the committed lock file is reproduced by a clean build");
    }

    [Test]
    public void GivenALockFile_WhenVerifying_ThenTheRetrainedOutputsMatchIt()
    {
        using var churn = new PipelineWorkspace("churn");
        Assert.That(churn.Build().ExitCode, Is.Zero);

        var verify = churn.Build("-p:MlopsVerify=true");

        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        Assert.That(verify.StandardOutput, Does.Contain("MlopsTrain: running from scratch to verify against mlops.lock.json"));
        Assert.That(verify.StandardOutput, Does.Contain("MlopsTrain: reproduced"));
        Assert.That(verify.StandardOutput, Does.Contain("MlopsEvaluate: reproduced"));
    }

    [Test]
    public void GivenALockFileWithAnotherModelHash_WhenVerifying_ThenTheBuildFailsWithBM3001()
    {
        using var churn = new PipelineWorkspace("churn");
        Assert.That(churn.Build().ExitCode, Is.Zero);
        var model = Sha256.Of(churn.Output("model.zip"));
        File.WriteAllText(churn.LockFile, File.ReadAllText(churn.LockFile).Replace(model, new string('0', 64), StringComparison.Ordinal));

        var verify = churn.Build("-p:MlopsVerify=true");

        Assert.That(verify.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(verify), Is.EqualTo(new[] { "BM3001" }), verify.ToString());
        Assert.That(verify.Output, Does.Contain("MlopsTrain did not reproduce the lock file: bin/mlops/model.zip"));
        Assert.That(Sha256.Of(churn.Output("model.zip")), Is.EqualTo(model), "a failed verification leaves the outputs as they were");
    }
}
