using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// The CI loop end to end, as a team's repository runs it: a new git repository whose model project uses BuildMlops
/// from NuGet (the packed SDK and tool, in a local feed) and whose Cake build and workflows `mlops ci init` wrote,
/// with the data and run cache on S3 (s3rver), images going to Debian's docker-registry, and GitHub's API
/// description served by Prism behind a proxy that remembers comments.
/// A developer trains churn, pushes data and runs, registers version 1 as production and pushes the branch; then
/// CI runners, each a fresh clone, run a pull request's PrCheck twice (the second restores the model from the run
/// cache and edits the report comment in place), a regressing pull request's PrCheck, and a tag's Release (verify,
/// package, push, register, promote, GitHub release). The token is a secret: it must appear in no output.
/// </summary>
[TestFixture]
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public sealed partial class CakeCiEndToEndTests
{
    /// <summary>Shaped like a GitHub token, so a leak would look like one.</summary>
    private const string Token = "ghs_E2eTokenThatMustNeverBePrintedAnywhere01";

    private const string Owner = "acme";
    private const string RepositoryName = "models";

    private TemporaryDirectory temporary = null!;
    private Task<GitHubApiServer> prism = null!;
    private S3Server s3 = null!;
    private RegistryServer registry = null!;
    private string origin = "";
    private string mainCommit = "";
    private string featureCommit = "";
    private string weakenCommit = "";

    [OneTimeSetUp]
    public void ADeveloperTrainsRegistersAndPushesChurn()
    {
        // Prism reads GitHub's 13 MB description for tens of seconds: it starts while the rest is set up.
        prism = Task.Run(GitHubApiServer.Start);
        temporary = new TemporaryDirectory("cake-ci");
        s3 = S3Server.Start();
        registry = RegistryServer.Start();
        var baseImage = $"{registry.Address}/mirror/dotnet-aspnet:{DotnetBaseImage.Tag}";
        ImageTools.Run("skopeo", "copy", "--dest-tls-verify=false", $"oci:{DotnetBaseImage.Layout(RepoLayout.ServingHost)}:{DotnetBaseImage.Tag}", $"docker://{baseImage}");

        origin = temporary.Combine("origin.git");
        Git(temporary.Path, "init", "-q", "--bare", "-b", "main", origin);
        var developer = temporary.Combine("developer");
        CreateTeamRepository(developer, baseImage);

        Succeeds(Dotnet(developer, "tool", "restore"));
        Succeeds(Dotnet(developer, "mlops", "ci", "init"));

        // `./build.sh` alone runs Build, which is BuildMlops's own: in a team's repository it has nothing to do, and says so.
        var plain = Cake(developer, DeveloperEnvironment());
        Succeeds(plain);
        Assert.That(plain.Output, Does.Contain("Build: no BuildMlops.sln here, so nothing to do"));
        Succeeds(Dotnet(developer, "mlops", "remote", "add", "--default", "storage", $"s3://{s3.Bucket}/acme-models", "-o", $"endpoint={s3.Endpoint}"));
        Succeeds(Dotnet(developer, "mlops", "data", "add", "pipelines/churn/data/wa_churn.csv"));
        Succeeds(Cake(developer, DeveloperEnvironment(), "--target=Train"));
        Git(developer, "add", "-A");
        Git(developer, "commit", "-q", "-m", "Churn model");
        mainCommit = Git(developer, "rev-parse", "HEAD");
        Succeeds(Cake(developer, DeveloperEnvironment(), "--target=PushRunCache"));
        Succeeds(Cake(developer, DeveloperEnvironment(), "--target=Register", "--promote=production", "--reason=first model"));
        Git(developer, "push", "-q", "origin", "main");

        // The pull request: the same model trained with another seed.
        Git(developer, "checkout", "-q", "-b", "reseed");
        var project = Path.Combine(developer, "pipelines", "churn", "churn.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("<MlopsPositiveClass>Yes</MlopsPositiveClass>", "<MlopsPositiveClass>Yes</MlopsPositiveClass>\n    <MlopsSeed>7</MlopsSeed>", StringComparison.Ordinal));
        Git(developer, "commit", "-q", "-am", "Reseed churn");
        featureCommit = Git(developer, "rev-parse", "HEAD");
        Git(developer, "push", "-q", "origin", "reseed");

        // Another pull request: one two-leaf tree instead of a hundred, a real regression.
        Git(developer, "checkout", "-q", "-b", "weaken", "main");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</ItemGroup>", "  <MlopsHyperparameter Include=\"NumberOfTrees\" Value=\"1\" />\n    <MlopsHyperparameter Include=\"NumberOfLeaves\" Value=\"2\" />\n  </ItemGroup>", StringComparison.Ordinal));
        Git(developer, "commit", "-q", "-am", "Fewer trees");
        weakenCommit = Git(developer, "rev-parse", "HEAD");
        Git(developer, "push", "-q", "origin", "weaken");
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (prism.IsCompletedSuccessfully)
        {
            prism.Result.Dispose();
        }

        registry?.Dispose();
        s3?.Dispose();
        temporary?.Dispose();
    }

    [Test]
    [Order(1)]
    public void GivenAPullRequest_WhenPrCheckRunsOnTwoRunners_ThenOneCommentIsPostedThenEdited_WithTheModelTrainedThenRestored()
    {
        using var proxy = new GitHubApiProxy(prism.Result.BaseUrl);
        var eventFile = PullRequestEvent(42, "reseed", featureCommit);

        var first = Runner("pr-1", "reseed");
        var firstRun = Cake(first, PullRequestEnvironment(first, proxy, eventFile), "--target=PrCheck");
        Succeeds(firstRun);
        Succeeds(Cake(first, PullRequestEnvironment(first, proxy, eventFile), "--target=PushRunCache"));

        Assert.That(firstRun.Output, Does.Contain("Pulling data from remote 'storage'"));
        Assert.That(firstRun.Output, Does.Contain("MlopsTrain: done"));
        Assert.That(firstRun.Output, Does.Match(@"auc against production \(version 1; higher is better; \d+ rows held out from both\): baseline 0\.\d{4}, new 0\.\d{4}, delta [+-]0\.\d{4}, 95% interval \[[+-]0\.\d{4}, [+-]0\.\d{4}\], allowed drop 0\.0100: passes"));
        var firstSummary = File.ReadAllText(Path.Combine(first, "step-summary.md"));
        Assert.That(firstSummary, Does.Contain("### ✅ churn"));
        Assert.That(firstSummary, Does.Contain("model trained in this run · compared with production `v1`"));
        Assert.That(firstSummary, Does.Contain("| parameter `MlopsSeed` |"));
        Assert.That(firstSummary, Does.Contain("x-axis [\"v1\", \"this PR\"]"));
        var firstCalls = proxy.Calls.ToList();
        Assert.That(firstCalls.Where(call => call.Status is < 200 or >= 300), Is.Empty, "Prism rejected: " + string.Join("\n", firstCalls));
        var posted = firstCalls.Where(call => call.Method == "POST" && call.Path.StartsWith($"/repos/{Owner}/{RepositoryName}/issues/42/comments", StringComparison.Ordinal)).ToList();
        Assert.That(posted, Has.Count.EqualTo(1), string.Join("\n", firstCalls));
        Assert.That(posted[0].Body, Does.Contain("<!-- buildmlops-report -->").And.Contain("model trained in this run"));
        var checkRun = firstCalls.Single(call => call.Method == "POST" && call.Path == $"/repos/{Owner}/{RepositoryName}/check-runs");
        Assert.That((string?)JsonNode.Parse(checkRun.Body)!["head_sha"], Is.EqualTo(featureCommit), "the pull request's head, from the event file");

        // A re-run on another runner: nothing to train, since the first runner's run is in the run cache.
        var second = Runner("pr-2", "reseed");
        var secondRun = Cake(second, PullRequestEnvironment(second, proxy, eventFile), "--target=PrCheck");
        Succeeds(secondRun);

        Assert.That(secondRun.Output, Does.Contain("MlopsTrain: restored from the run cache"));
        Assert.That(secondRun.Output, Does.Not.Contain("MlopsTrain: done"));
        Assert.That(Sha256.Of(Path.Combine(second, "pipelines", "churn", "bin", "mlops", "model.zip")), Is.EqualTo(Sha256.Of(Path.Combine(first, "pipelines", "churn", "bin", "mlops", "model.zip"))));
        Assert.That(File.ReadAllText(Path.Combine(second, "step-summary.md")), Does.Contain("model restored from the run cache").And.Contain("compared with production `v1`"));
        var secondCalls = proxy.Calls.Skip(firstCalls.Count).ToList();
        Assert.That(secondCalls.Where(call => call.Status is < 200 or >= 300), Is.Empty, "Prism rejected: " + string.Join("\n", secondCalls));
        Assert.That(secondCalls.Where(call => call.Method == "POST" && call.Path.Contains("/comments", StringComparison.Ordinal)), Is.Empty, "the report comment is edited, not added again");
        var edited = secondCalls.Single(call => call.Method == "PATCH" && call.Path.StartsWith($"/repos/{Owner}/{RepositoryName}/issues/comments/", StringComparison.Ordinal));
        Assert.That(edited.Body, Does.Contain("model restored from the run cache"));

        foreach (var (what, text) in new[] { ("first PrCheck", firstRun.Output), ("second PrCheck", secondRun.Output) }
            .Concat(proxy.Calls.Select(call => ($"{call} body", call.Body))))
        {
            Assert.That(text, Does.Not.Contain(Token), $"the token leaked into the {what}");
        }
    }

    [Test]
    [Order(2)]
    public void GivenAPullRequestThatWeakensTheModel_WhenPrCheckRuns_ThenItFails_WithTheRegressionInTheReportAndAnAnnotationOnTheProject()
    {
        using var proxy = new GitHubApiProxy(prism.Result.BaseUrl);
        var runner = Runner("pr-weaken", "weaken");

        var check = Cake(runner, PullRequestEnvironment(runner, proxy, PullRequestEvent(43, "weaken", weakenCommit)), "--target=PrCheck");

        Assert.That(check.ExitCode, Is.Not.Zero, check.ToString());
        Assert.That(check.Output, Does.Contain("PrCheck failed for: churn."));
        Assert.That(check.Output, Does.Match(@"error BM2001: gate failed: auc against production \(version 1; higher is better; \d+ rows held out from both\): baseline 0\.\d{4}, new 0\.\d{4}, delta -0\.\d{4}, 95% interval \[-0\.\d{4}, -0\.\d{4}\], allowed drop 0\.0100: fails"));
        var summary = File.ReadAllText(Path.Combine(runner, "step-summary.md"));
        Assert.That(summary, Does.Contain("### ❌ churn"));
        Assert.That(summary, Does.Contain("| hyperparameter `NumberOfTrees` | *(new)* | `1` |"));
        var calls = proxy.Calls.ToList();
        Assert.That(calls.Where(call => call.Status is < 200 or >= 300), Is.Empty, "Prism rejected: " + string.Join("\n", calls));
        Assert.That(calls, Has.One.Matches<ProxiedCall>(call => call.Method == "POST" && call.Path == $"/repos/{Owner}/{RepositoryName}/issues/43/comments"));
        var checkRuns = calls.Where(call => call.Path.StartsWith($"/repos/{Owner}/{RepositoryName}/check-runs", StringComparison.Ordinal)).Select(call => call.Body).ToList();
        Assert.That(checkRuns, Has.Some.Contains("\"conclusion\":\"failure\""), string.Join("\n", checkRuns));
        Assert.That(checkRuns, Has.Some.Contains("\"path\":\"pipelines/churn/churn.csproj\""), "an annotation on the model project for the failed gate");
        Assert.That(check.Output + string.Concat(calls.Select(call => call.Body)), Does.Not.Contain(Token));
    }

    [Test]
    [Order(3)]
    public void GivenAReleaseTag_WhenReleaseRuns_ThenTheModelIsVerifiedPushedWithBothTagsPromotedAndReleasedOnGitHub()
    {
        using var proxy = new GitHubApiProxy(prism.Result.BaseUrl);
        Git(temporary.Combine("developer"), "push", "-q", "origin", $"{mainCommit}:refs/tags/v1.0.0");
        var runner = Runner("release", "v1.0.0");

        var release = Cake(runner, ReleaseEnvironment(runner, proxy), "--target=Release", $"--registry={registry.Address}/acme", $"--buildmlops_insecureregistries={registry.Address}");

        Succeeds(release);
        Assert.That(release.Output, Does.Contain("Release v1.0.0: images tagged 1.0.0 (and the commit), promoted to production"));
        Assert.That(release.Output, Does.Contain("MlopsTrain: reproduced"));

        var push = JsonNode.Parse(File.ReadAllText(Path.Combine(runner, "pipelines", "churn", "bin", "mlops", "image", "push.json")))!;
        var digest = (string?)push["digest"];
        Assert.That(digest, Does.StartWith("sha256:"));
        var inspected = JsonNode.Parse(ImageTools.Run("skopeo", "inspect", "--tls-verify=false", $"docker://{registry.Address}/acme/churn:1.0.0").StandardOutput)!;
        Assert.That((string?)inspected["Digest"], Is.EqualTo(digest));
        var tags = JsonNode.Parse(ImageTools.Run("skopeo", "list-tags", "--tls-verify=false", $"docker://{registry.Address}/acme/churn").StandardOutput)!["Tags"]!.AsArray().Select(tag => (string?)tag);
        Assert.That(tags, Is.EquivalentTo(new[] { "1.0.0", mainCommit }));

        var production = Dotnet(runner, ReleaseEnvironment(runner, proxy), "mlops", "registry", "show", "churn", "production", "--json");
        Succeeds(production);
        var promoted = JsonNode.Parse(production.StandardOutput)!["result"]!;
        Assert.That((string?)promoted["model_sha256"], Is.EqualTo(Sha256.Of(Path.Combine(runner, "pipelines", "churn", "bin", "mlops", "model.zip"))), "the verified model is production");
        Assert.That((string?)promoted["git_commit"], Is.EqualTo(mainCommit));
        Assert.That((string?)promoted["image_digest"], Is.EqualTo(digest), "registered after the push, with the image in its lineage");
        Assert.That(release.Output, Does.Contain($"Promoting churn version {(int)promoted["version"]!} to production"));

        var calls = proxy.Calls.ToList();
        Assert.That(calls.Where(call => call.Status is < 200 or >= 300 && !(call.Status == 404 && call.Path.EndsWith("/releases/tags/v1.0.0", StringComparison.Ordinal))), Is.Empty,
            "Prism rejected: " + string.Join("\n", calls));
        var created = calls.Single(call => call.Method == "POST" && call.Path == $"/repos/{Owner}/{RepositoryName}/releases");
        var notes = JsonNode.Parse(created.Body)!;
        Assert.That((string?)notes["tag_name"], Is.EqualTo("v1.0.0"));
        Assert.That((string?)notes["body"], Does.StartWith($"# Model card: churn, version {(int)promoted["version"]!}"), "the card of the version this release registered");
        Assert.That((string?)notes["body"], Does.Contain(digest!).And.Contain("| `auc` |"));
        var uploads = calls.Where(call => call.Method == "POST" && call.Path.Contains("/assets?name=", StringComparison.Ordinal)).Select(call => AssetName().Match(call.Path).Groups["name"].Value);
        Assert.That(uploads, Is.EquivalentTo(new[] { "card.md", "metrics.json", "mlops.lock.json" }));
        Assert.That(release.Output + string.Concat(calls.Select(call => call.Body)), Does.Not.Contain(Token));
    }

    /// <summary>
    /// A team's repository as docs/ci-guide.md has one set up (before `mlops ci init` adds the Cake build and the
    /// workflows): the tool manifest pinning Cake and the mlops tool, a nuget.config naming the packed feed, and churn as
    /// <c>&lt;Project Sdk="BuildMlops.Sdk/0.1.0"&gt;</c> with a gate against production and its base image from the
    /// team's own registry mirror.
    /// </summary>
    private static void CreateTeamRepository(string root, string baseImage)
    {
        // The manifest `dotnet new tool-manifest` and two `dotnet tool install`s would write; the Cake build itself
        // comes from `dotnet mlops ci init`, once the tools are restored.
        Directory.CreateDirectory(Path.Combine(root, ".config"));
        var cakeVersion = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, ".config", "dotnet-tools.json")))!["tools"]!["cake.tool"]!["version"];
        File.WriteAllText(Path.Combine(root, ".config", "dotnet-tools.json"), $$"""
            {
              "version": 1,
              "isRoot": true,
              "tools": {
                "cake.tool": { "version": "{{cakeVersion}}", "commands": ["dotnet-cake"], "rollForward": false },
                "buildmlops.tool": { "version": "{{PackedBuildMlops.Version}}", "commands": ["mlops"], "rollForward": false }
              }
            }
            """);
        File.WriteAllText(Path.Combine(root, "nuget.config"), PackedBuildMlops.NuGetConfig());
        File.WriteAllText(Path.Combine(root, ".gitignore"), "bin/\nobj/\nartifacts/\n");

        var churn = Path.Combine(root, "pipelines", "churn");
        Directory.CreateDirectory(Path.Combine(churn, "data"));
        File.Copy(RepoLayout.PipelineData("churn", "wa_churn.csv"), Path.Combine(churn, "data", "wa_churn.csv"));
        File.WriteAllText(Path.Combine(root, "pipelines", "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <MlopsBaseImage>{baseImage}</MlopsBaseImage>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(churn, "churn.csproj"), $"""
            <Project Sdk="BuildMlops.Sdk/{PackedBuildMlops.Version}">
              <PropertyGroup>
                <MlopsTask>binary</MlopsTask>
                <MlopsLabel>churn</MlopsLabel>
                <MlopsPositiveClass>Yes</MlopsPositiveClass>
              </PropertyGroup>
              <ItemGroup>
                <MlopsData Include="data/wa_churn.csv.mlops" />
                <MlopsGate Include="auc" Min="0.83" />
                <MlopsGate Include="auc" MaxDrop="0.01" Against="production" />
              </ItemGroup>
            </Project>
            """);

        Git(Path.GetDirectoryName(root)!, "init", "-q", "-b", "main", root);
        Git(root, "config", "user.email", "developer@acme.test");
        Git(root, "config", "user.name", "Acme developer");
        Git(root, "remote", "add", "origin", Path.Combine(Path.GetDirectoryName(root)!, "origin.git"));
    }

    /// <summary>A CI runner's checkout: a fresh clone of origin at <paramref name="reference"/>, with the base branch fetched.</summary>
    private string Runner(string name, string reference)
    {
        var checkout = temporary.Combine(name);
        Git(temporary.Path, "clone", "-q", origin, checkout);
        Git(checkout, "checkout", "-q", reference);
        return checkout;
    }

    /// <summary>GitHub's own pull_request payload, made this pull request's: number, head branch and commit, base main.</summary>
    private string PullRequestEvent(int number, string head, string headCommit)
    {
        var payload = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, "tests", "BuildMlops.GitHub.Tests", "Events", "pull_request.opened.same_repository.json")))!;
        payload["number"] = number;
        payload["pull_request"]!["number"] = number;
        payload["pull_request"]!["head"]!["sha"] = headCommit;
        payload["pull_request"]!["head"]!["ref"] = head;
        payload["pull_request"]!["base"]!["ref"] = "main";
        payload["pull_request"]!["base"]!["sha"] = mainCommit;
        var path = temporary.Combine($"pull_request.{number}.json");
        File.WriteAllText(path, payload.ToJsonString());
        return path;
    }

    /// <summary>What the developer's shell has: the S3 credentials, and none of a CI job's variables.</summary>
    private Dictionary<string, string?> DeveloperEnvironment()
    {
        var environment = Isolated();
        environment["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey;
        environment["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey;
        return environment;
    }

    /// <summary>What the pull request workflow's job has (pr.yml), with the API at the proxy.</summary>
    private Dictionary<string, string?> PullRequestEnvironment(string checkout, GitHubApiProxy proxy, string eventFile)
    {
        var environment = DeveloperEnvironment();
        environment["CI"] = "true";
        environment["GITHUB_ACTIONS"] = "true";
        environment["GITHUB_EVENT_NAME"] = "pull_request";
        environment["GITHUB_EVENT_PATH"] = eventFile;
        var pullRequest = JsonNode.Parse(File.ReadAllText(eventFile))!["pull_request"]!;
        environment["GITHUB_REF"] = $"refs/pull/{(int)pullRequest["number"]!}/merge";
        environment["GITHUB_SHA"] = "4242424242424242424242424242424242424242"; // the merge commit GitHub would test
        environment["GITHUB_BASE_REF"] = "main";
        environment["GITHUB_HEAD_REF"] = (string?)pullRequest["head"]!["ref"];
        Runs(environment, checkout, proxy);
        return environment;
    }

    /// <summary>What the release workflow's job has (release.yml) for a pushed tag v1.0.0.</summary>
    private Dictionary<string, string?> ReleaseEnvironment(string checkout, GitHubApiProxy proxy)
    {
        var environment = DeveloperEnvironment();
        environment["CI"] = "true";
        environment["GITHUB_ACTIONS"] = "true";
        environment["GITHUB_EVENT_NAME"] = "push";
        environment["GITHUB_EVENT_PATH"] = Path.Combine(RepoLayout.Root, "tests", "BuildMlops.GitHub.Tests", "Events", "push.tag.json");
        environment["GITHUB_REF"] = "refs/tags/v1.0.0";
        environment["GITHUB_REF_TYPE"] = "tag";
        environment["GITHUB_REF_NAME"] = "v1.0.0";
        environment["GITHUB_SHA"] = mainCommit;
        Runs(environment, checkout, proxy);
        return environment;
    }

    private static void Runs(Dictionary<string, string?> environment, string checkout, GitHubApiProxy proxy)
    {
        environment["GITHUB_REPOSITORY"] = $"{Owner}/{RepositoryName}";
        environment["GITHUB_API_URL"] = proxy.BaseUrl.ToString().TrimEnd('/');
        environment["GITHUB_SERVER_URL"] = "https://github.com";
        environment["GITHUB_TOKEN"] = Token;
        environment["GITHUB_WORKSPACE"] = checkout;
        environment["GITHUB_RUN_ID"] = "7140";
        environment["GITHUB_STEP_SUMMARY"] = Path.Combine(checkout, "step-summary.md");
    }

    /// <summary>
    /// No GitHub, AWS, registry or Cake variable of the machine or of the CI job running these tests reaches the team's
    /// builds; NuGet restores into this fixture's own packages folder (see <see cref="PackedBuildMlops.NuGetConfig"/>),
    /// and dotnet keeps its tool cache in this fixture's own home.
    /// </summary>
    private Dictionary<string, string?> Isolated()
    {
        var environment = PackedBuildMlops.IsolatedPackages(temporary.Combine("packages"));
        foreach (var name in Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("AWS_", StringComparison.Ordinal)
                || name.StartsWith("MLOPS_", StringComparison.Ordinal) || name.StartsWith("CAKE_", StringComparison.Ordinal)))
        {
            environment[name] = null;
        }

        // dotnet's local-tool resolver caches each tool's path under ~/.dotnet/toolResolverCache by id and version,
        // whatever NUGET_PACKAGES says; an entry left by an earlier run points into a deleted packages folder, and
        // `dotnet mlops` would then refuse to start. A home of the fixture's own keeps that cache with the packages.
        environment["DOTNET_CLI_HOME"] = temporary.Combine("home");
        environment["SOURCE_DATE_EPOCH"] = null;
        return environment;
    }

    private ProcessResult Cake(string checkout, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        // build.sh as the workflows call it: it restores the pinned tools, then runs build.cake.
        var result = ProcessRunner.Run("bash", ["build.sh", .. arguments], checkout, environment, TimeSpan.FromMinutes(15));
        return result with { StandardOutput = AnsiEscape().Replace(result.StandardOutput, ""), StandardError = AnsiEscape().Replace(result.StandardError, "") };
    }

    private ProcessResult Dotnet(string directory, params string[] arguments) => Dotnet(directory, DeveloperEnvironment(), arguments);

    private static ProcessResult Dotnet(string directory, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ProcessRunner.Dotnet(directory, arguments, environment, TimeSpan.FromMinutes(10));

    private static string Git(string directory, params string[] arguments)
    {
        var result = ProcessRunner.Run("git", arguments, directory);
        Assert.That(result.ExitCode, Is.Zero, $"git {string.Join(" ", arguments)}: {result}");
        return result.StandardOutput.Trim();
    }

    private static void Succeeds(ProcessResult result) => Assert.That(result.ExitCode, Is.Zero, result.ToString());

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"[?&]name=(?<name>[^&]+)")]
    private static partial Regex AssetName();
}
