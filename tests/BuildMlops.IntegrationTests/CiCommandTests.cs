using System.Text.Json.Nodes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// <c>mlops ci pr-report</c> and <c>mlops ci release</c> on a real build: churn registered as version 1 and promoted
/// to production, then rebuilt with another seed under a gate against production, as a pull request would change it.
/// The report is published to GitHub's API description served by Prism (through a recording proxy, since the client
/// is in the mlops process), and printed locally with --dry-run. The builds are shared by the tests: they are the slow part.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CiCommandTests
{
    private const string BaselineGate = "<MlopsGate Include=\"auc\" MaxDrop=\"0.01\" Against=\"production\" />";

    private PipelineWorkspace churn = null!;
    private Task<GitHubApiServer> prism = null!;
    private string buildLog = null!;

    [OneTimeSetUp]
    public void BuildProductionAndAPullRequest()
    {
        // Prism reads GitHub's 13 MB description for tens of seconds: it starts while the models train.
        prism = Task.Run(GitHubApiServer.Start);
        churn = new PipelineWorkspace("churn");
        churn.EditProject("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"auc\" Min=\"0.83\" />\n    " + BaselineGate);
        var first = churn.Build("-t:MlopsRegister");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var promote = churn.Mlops("registry", "promote", "churn", "1", "production", "--reason", "first model");
        Assert.That(promote.ExitCode, Is.Zero, promote.ToString());

        var pullRequest = churn.Build("-p:MlopsSeed=7");
        Assert.That(pullRequest.ExitCode, Is.Zero, pullRequest.ToString());
        buildLog = Path.Combine(churn.Directory, "build.log");
        File.WriteAllText(buildLog, pullRequest.StandardOutput);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (prism.IsCompletedSuccessfully)
        {
            prism.Result.Dispose();
        }

        churn.Dispose();
    }

    [Test]
    public void GivenAPullRequestRun_WhenPrReportRuns_ThenTheStepSummaryHasTheChurnTable_AndPrismAcceptedTheCommentAndTheCheckRun()
    {
        using var proxy = new GitHubApiProxy(prism.Result.BaseUrl);
        var summary = Path.Combine(churn.Directory, "step-summary.md");
        var environment = new Dictionary<string, string?>
        {
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_EVENT_PATH"] = Path.Combine(RepoLayout.Root, "tests", "BuildMlops.GitHub.Tests", "Events", "pull_request.opened.same_repository.json"),
            ["GITHUB_REPOSITORY"] = "acme/models",
            ["GITHUB_REF"] = "refs/pull/42/merge",
            ["GITHUB_SHA"] = "0000000000000000000000000000000000000042",
            ["GITHUB_API_URL"] = proxy.BaseUrl.ToString(),
            ["GITHUB_TOKEN"] = "dummy",
            ["GITHUB_STEP_SUMMARY"] = summary,
            ["GITHUB_WORKSPACE"] = churn.Directory,
            ["GITHUB_RUN_ID"] = "7140",
        };

        var run = ProcessRunner.Dotnet(churn.Directory, [RepoLayout.MlopsDll, "ci", "pr-report", "--json", "--build-log", buildLog, "-p", "MlopsSeed=7"], environment);

        Assert.That(run.ExitCode, Is.Zero, run + "\n--- prism ---\n" + string.Join("\n", proxy.Calls));
        var outcome = JsonNode.Parse(run.StandardOutput)!["result"]!;
        Assert.That((bool)outcome["passed"]!, Is.True);
        Assert.That((bool)outcome["summary_written"]!, Is.True);
        Assert.That((string?)outcome["comment_url"], Is.Not.Null.And.Not.Empty, run.ToString());
        Assert.That((string?)outcome["check_run_url"], Is.Not.Null.And.Not.Empty, run.ToString());

        var markdown = File.ReadAllText(summary);
        Assert.That(markdown, Does.Not.Contain("<!-- buildmlops-report -->"), "the step summary is the report without the comment's marker");
        Assert.That(markdown, Does.Contain("### ✅ churn"));
        Assert.That(markdown, Does.Contain("`churn.csproj` · model trained in this run · compared with production `v1`"));
        Assert.That(markdown, Does.Contain("| metric | production | this PR | delta | interval | gate |"));
        Assert.That(markdown, Does.Match(@"\| `auc` \| 0\.\d{4} \| 0\.\d{4} \| [+-]0\.\d{4} \| 0\.\d{4} – 0\.\d{4} \| ✅ pass \(≥ 0\.83; ≥ production - 0\.01\) \|"));
        Assert.That(markdown, Does.Contain("| parameter `MlopsSeed` |"));
        Assert.That(markdown, Does.Contain("x-axis [\"v1\", \"this PR\"]"));

        var calls = proxy.Calls.ToList();
        Assert.That(calls.Where(call => call.Status is < 200 or >= 300), Is.Empty, "Prism rejected: " + string.Join("\n", calls));
        Assert.That(calls, Has.Some.Matches<ProxiedCall>(call => call.Method == "POST" && call.Path.StartsWith("/repos/acme/models/issues/42/comments", StringComparison.Ordinal)));
        Assert.That(calls, Has.Some.Matches<ProxiedCall>(call => call.Method == "POST" && call.Path == "/repos/acme/models/check-runs"));
    }

    [Test]
    public void GivenNoGitHub_WhenPrReportRunsWithDryRun_ThenItPrintsTheReport_AndCallsNothing()
    {
        var run = ProcessRunner.Dotnet(churn.Directory, [RepoLayout.MlopsDll, "ci", "pr-report", "--dry-run"], LocalEnvironment());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Does.StartWith("## BuildMlops: ✅ "));
        Assert.That(run.StandardOutput, Does.Contain("compared with production `v1`"));
        Assert.That(run.StandardOutput, Does.Contain("model trained in this run"), "without a build log, obj/mlops/outcomes.json says what the last build did");
        Assert.That(run.StandardOutput, Does.Contain("| `auc` |"));
    }

    [Test]
    public void GivenNoGitHub_WhenReleaseRunsWithDryRun_ThenItPrintsTheNotes_WithTheCardAndMetrics_AndListsTheAssets()
    {
        var run = ProcessRunner.Dotnet(churn.Directory, [RepoLayout.MlopsDll, "ci", "release", "--dry-run", "--json"], LocalEnvironment());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var result = JsonNode.Parse(run.StandardOutput)!["result"]!;
        var notes = (string)result["notes"]!;
        Assert.That(notes, Does.Contain("### Metrics"));
        Assert.That(notes, Does.Contain("| `auc` |"));
        Assert.That(result["assets"]!.AsArray().Select(asset => (string?)asset), Is.EqualTo(new[] { "card.md", "metrics.json", "mlops.lock.json" }));
    }

    /// <summary>The test process may itself run in Actions: nothing of that may reach a local run.</summary>
    private static Dictionary<string, string?> LocalEnvironment() =>
        new[] { "GITHUB_REPOSITORY", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_STEP_SUMMARY", "GITHUB_API_URL", "GITHUB_REF", "GITHUB_SHA" }
            .ToDictionary(name => name, _ => (string?)null);
}
