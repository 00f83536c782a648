using System.Net;
using BuildMlops.Diagnostics;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests.Api;

public class PrReportPublisherTests
{
    [Test]
    public async Task GivenAPullRequestFromTheSameRepository_WhenPublished_ThenCommentCheckRunAndSummaryCarryTheReport()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.same_repository.json");
        File.WriteAllText(session.SummaryPath, "## Tests\n\n42 passed\n");

        var outcome = await new PrReportPublisher(session.Client, session.Log).PublishAsync(session.Context, SampleReports.OneGateFailed());

        session.Recorder.AssertAllAccepted();
        Assert.That(session.Recorder.Writes.Select(call => $"{call.Method} {call.Path}"), Is.EqualTo(new[]
        {
            "POST /repos/acme/models/issues/42/comments",
            "POST /repos/acme/models/check-runs",
        }));
        Assert.That(session.Recorder.Calls.Select(call => call.Authorization), Has.All.EqualTo("Token " + Environments.Token));
        Assert.That(session.Recorder.Calls.Select(call => call.UserAgent), Has.All.StartWith("BuildMlops "));
        Assert.That(session.Recorder.Writes.Last().Json["head_sha"]!.GetValue<string>(), Is.EqualTo(SampleReports.HeadSha), "the pull request's head, not GITHUB_SHA");
        Assert.That(File.ReadAllText(session.SummaryPath), Is.EqualTo("## Tests\n\n42 passed\n\n" + PrReportMarkdown.Body(SampleReports.OneGateFailed())));
        Assert.That(outcome, Is.EqualTo(new PrReportOutcome
        {
            Passed = false,
            SummaryWritten = true,
            CommentUrl = outcome.CommentUrl,
            CheckRunUrl = outcome.CheckRunUrl,
        }));
        Assert.That((outcome.CommentUrl, outcome.CheckRunUrl, outcome.ExitCode), Is.Not.EqualTo((null as Uri, null as Uri, 0)));
        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(session.Log.Warnings, Is.Empty);
    }

    [Test]
    public async Task GivenAPullRequestFromAFork_WhenPublished_ThenOneWarningTheSummaryAndAFailingExitCode()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.fork.json");
        session.Recorder.ReadOnlyToken = true;

        var outcome = await new PrReportPublisher(session.Client, session.Log).PublishAsync(session.Context, SampleReports.OneGateFailed());

        session.Recorder.AssertAllAccepted();
        Assert.That(session.Recorder.Writes.Select(call => call.Status), Is.EqualTo(new[] { 403, 403 }), "both the comment and the check run were tried");
        var warning = session.Log.Warnings.Single();
        Assert.That(warning.Code, Is.EqualTo(ErrorCodes.GitHubTokenReadOnly));
        Assert.That(warning.Location.File, Is.EqualTo("https://github.com/acme/models/pull/42"));
        Assert.That(warning.Message, Does.Contain("fork alice/models").And.Contain("read-only token").And.Contain("Resource not accessible by integration").And.Contain("step summary"));
        Assert.That(File.ReadAllText(session.SummaryPath), Is.EqualTo(PrReportMarkdown.Body(SampleReports.OneGateFailed())));
        Assert.That(outcome.ReadOnlyToken, Is.True);
        Assert.That(outcome.CommentUrl, Is.Null);
        Assert.That(outcome.CheckRunUrl, Is.Null);
        Assert.That(outcome.ExitCode, Is.EqualTo(1), "a regression still fails the job");
        Assert.That(session.Log.Lines, Has.None.Contain(Environments.Token));
    }

    [Test]
    public async Task GivenAForkAndPassingGates_WhenPublished_ThenTheExitCodeIsZero()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.fork.json");
        session.Recorder.ReadOnlyToken = true;

        var outcome = await new PrReportPublisher(session.Client, session.Log).PublishAsync(session.Context, SampleReports.AllPassed());

        Assert.That((outcome.ExitCode, outcome.ReadOnlyToken, session.Log.Warnings.Count), Is.EqualTo((0, true, 1)));
    }

    [Test]
    public async Task GivenGitHubEnterpriseServer_WhenPublished_ThenEveryRequestGoesUnderItsApiBase()
    {
        using var session = ApiSession.Enterprise();

        await new PrReportPublisher(session.Client, session.Log).PublishAsync(session.Context, SampleReports.AllPassed());

        session.Recorder.AssertAllAccepted();
        Assert.That(session.Recorder.Calls, Has.Count.EqualTo(3));
        Assert.That(session.Recorder.Calls.Select(call => call.Url.ToString()), Has.All.StartWith(new Uri(Prism.Server.BaseUrl, "api/v3/repos/acme/models/").ToString()));
    }

    [Test]
    public async Task GivenGitHubRejectsTheComment_WhenPublished_ThenBM9103SaysWhyWithoutTheToken()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.same_repository.json");
        session.Recorder.AfterSend = (url, response) => Task.FromResult(url.AbsolutePath.EndsWith("/comments", StringComparison.Ordinal) && response.RequestMessage!.Method == HttpMethod.Post
            ? ApiRecorder.Json(HttpStatusCode.UnprocessableEntity, """{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}],"documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment","status":"422"}""")
            : response);

        var error = Assert.ThrowsAsync<MlopsException>(() => new PrReportPublisher(session.Client, session.Log).PublishAsync(session.Context, SampleReports.OneGateFailed()))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubApiFailed));
        Assert.That(error.FullMessage, Does.Contain("writing the report comment on pull request #42").And.Contain("422 Validation Failed").And.Contain("(body: body is too long (maximum is 65536 characters))"));
        Assert.That(error.ToCanonicalString(), Does.Not.Contain(Environments.Token));
        Assert.That(session.Log.Warnings, Is.Empty, "a 422 is no read-only token");
        Assert.That(File.ReadAllText(session.SummaryPath), Does.Contain("❌ 1 gate failed"), "the summary is written before any API call");
    }
}
