using BuildMlops.Diagnostics;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

public class GitHubClientFactoryTests
{
    [Test]
    public void GivenNoToken_WhenAClientIsMade_ThenBM9101SaysHowToPassIt()
    {
        var variables = Environments.PullRequest("pull_request.opened.fork.json");
        variables.Remove("GITHUB_TOKEN");

        var error = Assert.Throws<MlopsException>(() => GitHubClientFactory.Create(Environments.Read(variables)))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(error.FullMessage, Does.Contain("secrets.GITHUB_TOKEN"));
    }

    [Test]
    public void GivenAnEnterpriseApiUrl_WhenAClientIsMade_ThenItsBaseIsThatUrl()
    {
        var variables = Environments.PullRequest("pull_request.opened.fork.json");
        variables["GITHUB_API_URL"] = "https://ghe.example.com/api/v3";

        var client = GitHubClientFactory.Create(Environments.Read(variables));

        Assert.That(client.Connection.BaseAddress, Is.EqualTo(new Uri("https://ghe.example.com/api/v3/")));
    }

    [Test]
    public void GivenAReportLongerThanGitHubTakes_WhenFitted_ThenItIsCutWithANoteWithinTheLimit()
    {
        var text = new string('x', 70_000);

        var fitted = GitHubTextLimits.Fit(text, GitHubTextLimits.CommentBody);

        Assert.That(fitted, Has.Length.LessThanOrEqualTo(GitHubTextLimits.CommentBody));
        Assert.That(fitted, Does.EndWith("the whole report is in the workflow run's summary.*\n"));
        Assert.That(GitHubTextLimits.Fit("short", GitHubTextLimits.CommentBody), Is.EqualTo("short"));
    }
}
