using System.Net;
using BuildMlops.Diagnostics;
using NUnit.Framework;
using Octokit;

namespace BuildMlops.GitHub.Tests;

public class ForbiddenTrackerTests
{
    private const string ReadOnlyBody = """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}""";

    [Test]
    public void GivenTwoForbiddenWrites_WhenAbsorbed_ThenOnlyTheFirstWarns()
    {
        var log = new RecordingLog();
        var tracker = new ForbiddenTracker(log, Environments.Read(Environments.PullRequest("pull_request.opened.fork.json")));

        var first = tracker.Absorb(new ForbiddenException(Response(HttpStatusCode.Forbidden, ReadOnlyBody)), "creating the comment");
        var second = tracker.Absorb(new ForbiddenException(Response(HttpStatusCode.Forbidden, ReadOnlyBody)), "creating the check run");

        Assert.That((first, second, tracker.Forbidden), Is.EqualTo((true, true, true)));
        Assert.That(log.Warnings.Select(warning => warning.Code), Is.EqualTo(new[] { ErrorCodes.GitHubTokenReadOnly }));
        Assert.That(log.Warnings[0].Message, Does.StartWith("GitHub refused creating the comment (403 Resource not accessible by integration): this pull request comes from the fork alice/models"));
    }

    [Test]
    public void GivenAForbiddenWriteOutsideAFork_WhenAbsorbed_ThenTheWarningNamesThePermissions()
    {
        var log = new RecordingLog();
        var tracker = new ForbiddenTracker(log, Environments.Read(Environments.PullRequest("pull_request.opened.same_repository.json")));

        tracker.Absorb(new ForbiddenException(Response(HttpStatusCode.Forbidden, ReadOnlyBody)), "creating the check run");

        Assert.That(log.Warnings.Single().Message, Does.Contain("pull-requests: write").And.Contain("checks: write"));
    }

    [Test]
    public void GivenARateLimitOrAnotherError_WhenAbsorbed_ThenItIsNotTakenForAReadOnlyToken()
    {
        var log = new RecordingLog();
        var tracker = new ForbiddenTracker(log, Environments.Read(Environments.PullRequest("pull_request.opened.fork.json")));
        var rateLimited = Response(HttpStatusCode.Forbidden, """{"message":"API rate limit exceeded"}""", new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Limit"] = "1000", ["X-RateLimit-Reset"] = "1717400000" });

        Assert.That(tracker.Absorb(new RateLimitExceededException(rateLimited), "creating the comment"), Is.False);
        Assert.That(tracker.Absorb(new ApiException(Response(HttpStatusCode.InternalServerError, """{"message":"Server Error"}""")), "creating the comment"), Is.False);
        Assert.That(tracker.Absorb(new HttpRequestException("connection refused"), "creating the comment"), Is.False);
        Assert.That(log.Warnings, Is.Empty);
        Assert.That(tracker.Forbidden, Is.False);
    }

    [Test]
    public void GivenARateLimit_WhenWrapped_ThenBM9103SaysToWait()
    {
        var rateLimited = Response(HttpStatusCode.Forbidden, """{"message":"API rate limit exceeded"}""", new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Limit"] = "1000", ["X-RateLimit-Reset"] = "1717400000" });

        var error = GitHubApiErrors.Wrap(new RateLimitExceededException(rateLimited), "creating the comment", GitHubContext.DefaultApiUrl);

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubApiFailed));
        Assert.That(error.FullMessage, Does.Contain("403 API rate limit exceeded").And.Contain("rate limit was hit"));
    }

    private static IResponse Response(HttpStatusCode status, string body, Dictionary<string, string>? headers = null) =>
        new FakeResponse(status, body, headers ?? []);

    private sealed class FakeResponse(HttpStatusCode status, string body, Dictionary<string, string> headers) : IResponse
    {
        public object Body => body;

        public IReadOnlyDictionary<string, string> Headers => headers;

        public ApiInfo ApiInfo => new(new Dictionary<string, Uri>(), [], [], "", new RateLimit(headers));

        public HttpStatusCode StatusCode => status;

        public string ContentType => "application/json";
    }
}
