using System.Text.Json.Nodes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Gates against the production model, on the real churn data: the model registry (a folder store,
/// and S3 on s3rver) holds production; a retrain with another seed of the same configuration passes,
/// a deliberately weakened model (one two-leaf tree instead of a hundred) fails with baseline, new value,
/// delta and interval shown; promote, rollback and the audit history go through the CLI.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BaselineGateTests
{
    private const string BaselineGate = "<MlopsGate Include=\"auc\" MaxDrop=\"0.01\" Against=\"production\" />";

    [Test]
    public void GivenProductionInAFolderStore_WhenAWeakenedModelIsGated_ThenItFails_AndARetrainWithAnotherSeedPasses()
    {
        using var churn = new PipelineWorkspace("churn");
        RunScenario(churn, environment: null);
    }

    [Test]
    public void GivenProductionOnS3_WhenAWeakenedModelIsGated_ThenItFails_AndARetrainWithAnotherSeedPasses()
    {
        using var s3 = S3Server.Start();
        using var churn = new PipelineWorkspace("churn");
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
        };
        var add = Mlops(churn, environment, "remote", "add", "--default", "storage", $"s3://{s3.Bucket}/team", "-o", $"endpoint={s3.Endpoint}");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        RunScenario(churn, environment);
        Assert.That(Directory.Exists(Path.Combine(churn.Directory, ".mlops", "registry")), Is.False, "the registry lives on the default remote");
    }

    private static void RunScenario(PipelineWorkspace churn, IReadOnlyDictionary<string, string?>? environment)
    {
        // No production yet: the gate passes and says why.
        churn.EditProject("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"auc\" Min=\"0.83\" />\n    " + BaselineGate);
        var first = churn.Build(["-t:MlopsRegister"], environment);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.StandardOutput, Does.Contain("no version is 'production' yet"));
        Assert.That(first.StandardOutput, Does.Contain("MlopsRegister: registered churn version 1"));
        var promote = Mlops(churn, environment, "registry", "promote", "churn", "1", "production", "--reason", "first model");
        Assert.That(promote.ExitCode, Is.Zero, promote.ToString());

        // The same configuration with another seed: a different model, not a worse one.
        var reseeded = churn.Build(["-t:MlopsRegister", "-p:MlopsSeed=7"], environment);
        Assert.That(reseeded.ExitCode, Is.Zero, reseeded.ToString());
        Assert.That(reseeded.StandardOutput, Does.Match(@"auc against production \(version 1; higher is better; \d+ rows held out from both\): baseline 0\.\d{4}, new 0\.\d{4}, delta [+-]0\.\d{4}, 95% interval \[[+-]0\.\d{4}, [+-]0\.\d{4}\], allowed drop 0\.0100: passes"));
        Assert.That(reseeded.StandardOutput, Does.Contain("MlopsRegister: registered churn version 2"));

        // metrics diff: the built model (seed 7) against production (version 1), per metric, with the gates' verdicts.
        var diff = Mlops(churn, environment, "metrics", "diff", "--against", "production", "--json");
        Assert.That(diff.ExitCode, Is.Zero, diff.ToString());
        var rows = JsonNode.Parse(diff.StandardOutput)!["result"]!["rows"]!.AsArray();
        var auc = rows.Single(row => (string?)row!["metric"] == "auc")!;
        var metrics = JsonNode.Parse(File.ReadAllText(churn.Output("metrics.json")))!;
        Assert.That((double)auc["current"]!, Is.EqualTo((double)metrics["auc"]!));
        Assert.That((double)auc["delta"]!, Is.EqualTo((double)auc["current"]! - (double)auc["baseline"]!).Within(1e-12));
        Assert.That((bool?)auc["passed"], Is.True);
        var table = Mlops(churn, environment, "metrics", "diff", "--against", "1");
        Assert.That(table.StandardOutput, Does.Contain("| metric | 1 (v1) | current | delta | gate |"), table.ToString());

        // One two-leaf tree instead of a hundred of twenty: a real regression, told apart from noise.
        churn.EditProject("</ItemGroup>", "  <MlopsHyperparameter Include=\"NumberOfTrees\" Value=\"1\" />\n    <MlopsHyperparameter Include=\"NumberOfLeaves\" Value=\"2\" />\n  </ItemGroup>");
        var weakened = churn.Build([], environment);
        Assert.That(weakened.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(weakened), Is.EqualTo(new[] { "BM2001" }), weakened.ToString());
        Assert.That(weakened.StandardOutput, Does.Match(@"error BM2001: gate failed: auc against production \(version 1; higher is better; 1409 rows held out from both\): baseline 0\.\d{4}, new 0\.\d{4}, delta -0\.\d{4}, 95% interval \[-0\.\d{4}, -0\.\d{4}\], allowed drop 0\.0100: fails"));
        var gates = JsonNode.Parse(File.ReadAllText(churn.Output("gates.json")))!.AsArray();
        var baselineGate = gates.Single(gate => (string?)gate!["against"] == "production")!;
        Assert.That((string?)baselineGate["verdict"], Is.EqualTo("fail"));
        Assert.That((double)baselineGate["delta_high"]!, Is.LessThan(-0.01));

        // Moving production reruns the gate: against version 2, then back to 1.
        Assert.That(Mlops(churn, environment, "registry", "promote", "churn", "2", "production", "--reason", "seed 7 is as good").ExitCode, Is.Zero);
        var rollback = Mlops(churn, environment, "registry", "rollback", "churn", "production", "--reason", "back to the first");
        Assert.That(rollback.ExitCode, Is.Zero, rollback.ToString());
        var history = Mlops(churn, environment, "registry", "history", "churn", "--json");
        Assert.That(history.ExitCode, Is.Zero, history.ToString());
        var moves = JsonNode.Parse(history.StandardOutput)!["result"]!.ToJsonString();
        foreach (var reason in new[] { "first model", "seed 7 is as good", "back to the first" })
        {
            Assert.That(moves, Does.Contain(reason));
        }

        var show = Mlops(churn, environment, "registry", "show", "churn", "production", "--json");
        Assert.That(show.StandardOutput, Does.Contain("\"version\": 1"), show.ToString());
    }

    private static ProcessResult Mlops(PipelineWorkspace workspace, IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        ProcessRunner.Dotnet(workspace.Directory, [RepoLayout.MlopsDll, .. arguments], environment);
}
