using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

public class GitHubContextTests
{
    [Test]
    public void GivenAPullRequestFromAFork_WhenRead_ThenItIsAPullRequestFromTheForkAtItsHeadSha()
    {
        var context = Environments.Read(Environments.PullRequest("pull_request.opened.fork.json"));

        Assert.That(context.Kind, Is.EqualTo(GitHubRefKind.PullRequest));
        Assert.That(context.PullRequest, Is.EqualTo(new PullRequestInfo(42, "6dcb09b5b57875f334f61aebed695e2e4193db5e", "june-extract", "main", "alice/models", "acme/models", IsFork: true)));
        Assert.That(context.Sha, Is.EqualTo("6dcb09b5b57875f334f61aebed695e2e4193db5e"), "the head of the pull request, not GITHUB_SHA's test merge commit");
        Assert.That((context.Owner, context.Name), Is.EqualTo(("acme", "models")));
        Assert.That(context.PullRequestUrl, Is.EqualTo(new Uri("https://github.com/acme/models/pull/42")));
        Assert.That(context.RunUrl, Is.EqualTo(new Uri("https://github.com/acme/models/actions/runs/7140")));
    }

    [Test]
    public void GivenAPullRequestFromTheSameRepository_WhenRead_ThenItIsNoForkAndStillUsesTheHeadSha()
    {
        var context = Environments.Read(Environments.PullRequest("pull_request.opened.same_repository.json"));

        Assert.That(context.PullRequest!.IsFork, Is.False);
        Assert.That(context.PullRequest.HeadRepository, Is.EqualTo("acme/models"));
        Assert.That(context.Sha, Is.Not.EqualTo(Environments.MergeSha));
    }

    [Test]
    public void GivenAPullRequestBetweenBranchesOfARepositoryThatIsItselfAFork_WhenParsed_ThenItIsNoFork()
    {
        // head.repo.fork is true for every branch of a forked repository; only a second repository means a read-only token.
        var payload = JsonNode.Parse(TestFiles.Event("pull_request.opened.same_repository.json"))!;
        payload["pull_request"]!["head"]!["repo"]!["fork"] = true;
        payload["pull_request"]!["base"]!["repo"]!["fork"] = true;

        var context = Parse(Environments.PullRequest("pull_request.opened.same_repository.json"), payload.ToJsonString());

        Assert.That(context.PullRequest!.IsFork, Is.False);
    }

    [Test]
    public void GivenAPullRequestWhoseForkWasDeleted_WhenParsed_ThenItIsAFork()
    {
        var payload = JsonNode.Parse(TestFiles.Event("pull_request.opened.fork.json"))!;
        payload["pull_request"]!["head"]!["repo"] = null;

        var context = Parse(Environments.PullRequest("pull_request.opened.fork.json"), payload.ToJsonString());

        Assert.That(context.PullRequest!.IsFork, Is.True);
        Assert.That(context.PullRequest.HeadRepository, Is.Null);
    }

    [Test]
    public void GivenATagPush_WhenRead_ThenItIsTheTagAtGitHubSha()
    {
        var context = Environments.Read(Environments.Push("push.tag.json", "refs/tags/v1.2.0"));

        Assert.That(context.Kind, Is.EqualTo(GitHubRefKind.Tag));
        Assert.That(context.Tag, Is.EqualTo("v1.2.0"));
        Assert.That(context.Branch, Is.Null);
        Assert.That(context.PullRequest, Is.Null);
        Assert.That(context.Sha, Is.EqualTo("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"));
    }

    [Test]
    public void GivenABranchPush_WhenRead_ThenItIsTheBranch()
    {
        var context = Environments.Read(Environments.Push("push.branch.json", "refs/heads/main"));

        Assert.That(context.Kind, Is.EqualTo(GitHubRefKind.Branch));
        Assert.That(context.Branch, Is.EqualTo("main"));
        Assert.That(context.Tag, Is.Null);
    }

    [Test]
    public void GivenGitHubEnterpriseApiUrl_WhenRead_ThenTheApiBaseIsItWithATrailingSlash()
    {
        var variables = Environments.PullRequest("pull_request.opened.fork.json");
        variables["GITHUB_API_URL"] = "https://ghe.example.com/api/v3";
        variables["GITHUB_SERVER_URL"] = "https://ghe.example.com";

        var context = Environments.Read(variables);

        Assert.That(context.ApiUrl, Is.EqualTo(new Uri("https://ghe.example.com/api/v3/")));
        Assert.That(new Uri(context.ApiUrl, "repos/acme/models").ToString(), Is.EqualTo("https://ghe.example.com/api/v3/repos/acme/models"));
        Assert.That(context.PullRequestUrl, Is.EqualTo(new Uri("https://ghe.example.com/acme/models/pull/42")));
    }

    [Test]
    public void GivenNoApiUrl_WhenRead_ThenItIsGitHubCom()
    {
        var variables = Environments.Push("push.branch.json", "refs/heads/main");
        variables.Remove("GITHUB_API_URL");
        variables.Remove("GITHUB_SERVER_URL");

        var context = Environments.Read(variables);

        Assert.That(context.ApiUrl, Is.EqualTo(new Uri("https://api.github.com/")));
        Assert.That(context.ServerUrl, Is.EqualTo(new Uri("https://github.com/")));
    }

    [Test]
    public void GivenAToken_WhenTheContextIsPrinted_ThenTheTokenIsNot()
    {
        var context = Environments.Read(Environments.PullRequest("pull_request.opened.fork.json"));

        Assert.That(context.Token, Is.EqualTo(Environments.Token));
        Assert.That(context.ToString(), Does.Not.Contain(Environments.Token));
        Assert.That(context.ToString(), Is.EqualTo("acme/models pull request #42 at 6dcb09b5b57875f334f61aebed695e2e4193db5e from the fork alice/models"));
    }

    [Test]
    public void GivenNoRepository_WhenRead_ThenBM9101SaysThisIsNoActionsRun()
    {
        var variables = Environments.Push("push.branch.json", "refs/heads/main");
        variables.Remove("GITHUB_REPOSITORY");

        var error = Assert.Throws<MlopsException>(() => Environments.Read(variables))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.Message, Does.Contain("GITHUB_REPOSITORY is not set"));
    }

    [Test]
    public void GivenAPullRequestEventWithoutEventFile_WhenRead_ThenBM9101()
    {
        var variables = Environments.PullRequest("pull_request.opened.fork.json");
        variables.Remove("GITHUB_EVENT_PATH");

        var error = Assert.Throws<MlopsException>(() => Environments.Read(variables))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.Message, Does.Contain("GITHUB_EVENT_PATH"));
    }

    [Test]
    public void GivenAnEventPathThatDoesNotExist_WhenRead_ThenBM9101AtThatPath()
    {
        using var directory = new TemporaryDirectory("github-context");
        var variables = Environments.PullRequest("pull_request.opened.fork.json");
        variables["GITHUB_EVENT_PATH"] = directory.Combine("event.json");

        var error = Assert.Throws<MlopsException>(() => Environments.Read(variables))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.Location.File, Is.EqualTo(directory.Combine("event.json")));
    }

    [Test]
    public void GivenAnEventFileThatIsNotJson_WhenParsed_ThenBM9102WithoutTheToken()
    {
        var error = Assert.Throws<MlopsException>(() => Parse(Environments.PullRequest("pull_request.opened.fork.json"), "{\"pull_request\": "))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubEventInvalid));
        Assert.That(error.FullMessage, Does.Contain("not JSON").And.Not.Contain(Environments.Token));
    }

    [Test]
    public void GivenAPullRequestPayloadWithoutHeadSha_WhenParsed_ThenBM9102NamesTheField()
    {
        var payload = JsonNode.Parse(TestFiles.Event("pull_request.opened.fork.json"))!;
        payload["pull_request"]!["head"]!.AsObject().Remove("sha");

        var error = Assert.Throws<MlopsException>(() => Parse(Environments.PullRequest("pull_request.opened.fork.json"), payload.ToJsonString()))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubEventInvalid));
        Assert.That(error.Message, Does.Contain("pull_request.head.sha"));
    }

    [Test]
    public void GivenAPushPayloadForAPullRequestEvent_WhenParsed_ThenBM9102()
    {
        var error = Assert.Throws<MlopsException>(() => Parse(Environments.PullRequest("pull_request.opened.fork.json"), TestFiles.Event("push.branch.json")))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubEventInvalid));
        Assert.That(error.Message, Does.Contain("no pull_request object"));
    }

    [Test]
    public void GivenAnApiUrlThatIsNoUrl_WhenRead_ThenBM9101NamesTheVariable()
    {
        var variables = Environments.Push("push.branch.json", "refs/heads/main");
        variables["GITHUB_API_URL"] = "ghe.example.com/api/v3";

        var error = Assert.Throws<MlopsException>(() => Environments.Read(variables))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.Location.File, Is.EqualTo("GITHUB_API_URL"));
    }

    private static GitHubContext Parse(Dictionary<string, string?> variables, string eventJson) =>
        GitHubContext.Parse(name => variables.TryGetValue(name, out var value) ? value : null, eventJson, variables["GITHUB_EVENT_PATH"]);
}
