using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests.Api;

public class PullRequestCommenterTests
{
    [Test]
    public async Task GivenNoCommentCarriesTheMarker_WhenPublished_ThenOneCommentIsCreatedWithIt()
    {
        using var session = ApiSession.PullRequest();
        var body = PrReportMarkdown.Comment(SampleReports.OneGateFailed());

        var published = await new PullRequestCommenter(session.Client).PublishAsync("acme", "models", 42, body);

        session.Recorder.AssertAllAccepted();
        Assert.That(published.Updated, Is.False);
        Assert.That(session.Recorder.Calls.Select(call => $"{call.Method} {call.Path}"), Is.EqualTo(new[]
        {
            "GET /repos/acme/models/issues/42/comments",
            "POST /repos/acme/models/issues/42/comments",
        }));
        Assert.That(session.Recorder.Calls[0].Url.Query, Does.Contain("per_page=100"));
        Assert.That(session.Recorder.Calls[1].Json["body"]!.GetValue<string>(), Is.EqualTo(body));
    }

    [Test]
    public async Task GivenTheReportCommentIsOnTheSecondPage_WhenPublished_ThenThatCommentIsEditedInPlace()
    {
        using var session = ApiSession.PullRequest();
        session.Recorder.AfterSend = async (url, response) =>
        {
            if (!url.AbsolutePath.EndsWith("/issues/42/comments", StringComparison.Ordinal) || response.StatusCode != HttpStatusCode.OK)
            {
                return response;
            }

            // Page 1 is Prism's example (someone's "Me too") and links to page 2, whose comment is an earlier report.
            var comments = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            if (!url.Query.Contains("page=2", StringComparison.Ordinal))
            {
                var page1 = ApiRecorder.Json(HttpStatusCode.OK, comments.ToJsonString());
                page1.Headers.Add("Link", "<https://api.github.com/repos/acme/models/issues/42/comments?per_page=100&page=2>; rel=\"next\", <https://api.github.com/repos/acme/models/issues/42/comments?per_page=100&page=2>; rel=\"last\"");
                return page1;
            }

            comments[0]!["id"] = 9001;
            comments[0]!["body"] = PrReportMarkdown.Marker + "\n## BuildMlops: ✅ 2 gates passed\n";
            return ApiRecorder.Json(HttpStatusCode.OK, comments.ToJsonString());
        };

        var published = await new PullRequestCommenter(session.Client).PublishAsync("acme", "models", 42, PrReportMarkdown.Comment(SampleReports.OneGateFailed()));

        session.Recorder.AssertAllAccepted();
        Assert.That(published.Updated, Is.True);
        Assert.That(session.Recorder.Calls.Select(call => $"{call.Method} {call.Path}{(call.Url.Query.Contains("page=2", StringComparison.Ordinal) ? " page 2" : "")}"), Is.EqualTo(new[]
        {
            "GET /repos/acme/models/issues/42/comments",
            "GET /repos/acme/models/issues/42/comments page 2",
            "PATCH /repos/acme/models/issues/comments/9001",
        }));
        Assert.That(session.Recorder.Writes.Single().Json["body"]!.GetValue<string>(), Does.StartWith(PrReportMarkdown.Marker + "\n## BuildMlops: ❌ 1 gate failed"));
    }
}
