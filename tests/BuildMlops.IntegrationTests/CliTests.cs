using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>The mlops CLI runs the same steps as the build, for people and (with --json) for scripts.</summary>
[TestFixture]
public sealed class CliTests
{
    [Test]
    public void GivenAFreshProject_WhenTrainedWithJson_ThenTheStepsRanAndStdoutIsOneJsonDocument()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);

        var train = concrete.Mlops("train", concrete.Directory, "--json");

        Assert.That(train.ExitCode, Is.Zero, train.ToString());
        var report = JsonDocument.Parse(train.StandardOutput).RootElement;
        Assert.That(report.GetProperty("succeeded").GetBoolean(), Is.True);
        var steps = report.GetProperty("steps").EnumerateArray().ToDictionary(step => step.GetProperty("target").GetString()!, step => step.GetProperty("status").GetString());
        Assert.That(steps["MlopsTrain"], Is.EqualTo("ran"));
        Assert.That(steps.ContainsKey("MlopsEvaluate"), Is.False, "train stops after training");
        Assert.That(File.Exists(concrete.Output("model.zip")), Is.True);
        Assert.That(train.StandardError, Does.Contain("MlopsTrain: running because it has not run yet"));
    }

    [Test]
    public void GivenACliTrainedProject_WhenBuilt_ThenTheBuildFindsTheModelUpToDate()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);
        Assert.That(concrete.Mlops("gate", concrete.Directory).ExitCode, Is.Zero);

        var build = concrete.Build();

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(BuildOutput.StepsThatRan(build), Is.Empty, "the CLI and the build share one implementation and one lock file");
    }

    [Test]
    public void GivenABuiltProject_WhenStatusIsAsked_ThenEveryStepIsUpToDateAndNothingRuns()
    {
        using var concrete = new PipelineWorkspace("concrete");
        Assert.That(concrete.Build().ExitCode, Is.Zero);

        var status = concrete.Mlops("status", concrete.Directory, "--json", "-p", "MlopsSeed=9");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        var steps = JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("steps").EnumerateArray()
            .ToDictionary(step => step.GetProperty("target").GetString()!, step => step);
        Assert.That(steps["MlopsValidateData"].GetProperty("status").GetString(), Is.EqualTo("up-to-date"));
        Assert.That(steps["MlopsTrain"].GetProperty("status").GetString(), Is.EqualTo("stale"));
        Assert.That(steps["MlopsTrain"].GetProperty("reasons")[0].GetString(), Is.EqualTo("MlopsSeed changed from '42' to '9'"));
        Assert.That(concrete.Build().StandardOutput, Does.Contain("MlopsTrain: up to date"), "status ran nothing");
    }

    [Test]
    public void GivenAFailingGate_WhenGated_ThenExitCodeIsOneAndTheErrorIsInTheJson()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);
        concrete.EditProject("<MlopsGate Include=\"r2\" Min=\"0.88\" />", "<MlopsGate Include=\"r2\" Min=\"0.999\" />");

        var gate = concrete.Mlops("gate", concrete.Directory, "--json");

        Assert.That(gate.ExitCode, Is.EqualTo(1), gate.ToString());
        var errors = JsonDocument.Parse(gate.StandardOutput).RootElement.GetProperty("errors");
        Assert.That(errors.GetArrayLength(), Is.EqualTo(1));
        Assert.That(errors[0].GetProperty("code").GetString(), Is.EqualTo("BM2001"));
        Assert.That(errors[0].GetProperty("message").GetString(), Does.StartWith("gate failed: r2 0.9"));
        Assert.That(gate.StandardError, Does.Contain("error BM2001: gate failed: r2"));
    }

    [Test]
    public void GivenABadProject_WhenTrained_ThenTheBuildErrorIsPassedOnAndExitIsNonZero()
    {
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);
        concrete.EditProject("<MlopsTask>regression</MlopsTask>", "<MlopsTask>regression</MlopsTask><MlopsTrainer>LbfgsLogisticRegression</MlopsTrainer>");

        var train = concrete.Mlops("train", concrete.Directory);

        Assert.That(train.ExitCode, Is.EqualTo(1), train.ToString());
        Assert.That(train.StandardError, Does.Contain("error BM1101: unknown trainer 'LbfgsLogisticRegression' for a regression model"));
    }

    [TestCase("train")]
    [TestCase("evaluate")]
    [TestCase("gate")]
    [TestCase("status")]
    [TestCase("validate")]
    public void GivenACommand_WhenAskedForHelp_ThenItDescribesItsArgumentsAndOptions(string command)
    {
        var help = ProcessRunner.Dotnet(RepoLayout.Root, [RepoLayout.MlopsDll, command, "--help"]);

        Assert.That(help.ExitCode, Is.Zero, help.ToString());
        Assert.That(help.StandardOutput, Does.Contain("<project>"));
        Assert.That(help.StandardOutput, Does.Contain("--json"));
    }
}
