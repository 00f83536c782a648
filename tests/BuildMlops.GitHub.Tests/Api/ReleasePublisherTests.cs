using System.Net;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests.Api;

public class ReleasePublisherTests
{
    [Test]
    public async Task GivenTheTagHasNoRelease_WhenPublished_ThenItIsCreatedAndTheAssetsUploadedToTheUploadHost()
    {
        using var session = ApiSession.Tag("v1.2.0-rc.1");
        var metrics = session.File("metrics.json", """{"auc":0.8427}""");
        var card = session.File("model-card.md", "# churn\n");
        session.Recorder.BeforeSend = request =>
        {
            if (request.RequestUri!.AbsolutePath.Contains("/releases/tags/", StringComparison.Ordinal))
            {
                request.Headers.Add("Prefer", "code=404"); // GitHub's documented answer for a tag without a release
            }
        };
        var body = ReleaseNotesMarkdown.Render([SampleRelease.Churn()]);

        var outcome = await new ReleasePublisher(session.Client).PublishAsync(session.Context, body, [metrics, card]);

        session.Recorder.AssertAllAccepted();
        var calls = session.Recorder.Calls;
        Assert.That(calls.Select(call => $"{call.Method} {call.Url.Host} {call.Path}"), Is.EqualTo(new[]
        {
            "GET 127.0.0.1 /repos/acme/models/releases/tags/v1.2.0-rc.1",
            "POST 127.0.0.1 /repos/acme/models/releases",
            $"GET 127.0.0.1 /repos/acme/models/releases/{outcome.ReleaseId}/assets",
            // Prism's example release names its own upload_url, on GitHub's upload host: Octokit uploads where the release says.
            $"POST uploads.github.com /repos/octocat/Hello-World/releases/{outcome.ReleaseId}/assets",
            $"POST uploads.github.com /repos/octocat/Hello-World/releases/{outcome.ReleaseId}/assets",
        }));
        var created = calls[1].Json;
        Assert.That(created["tag_name"]!.GetValue<string>(), Is.EqualTo("v1.2.0-rc.1"));
        Assert.That(created["name"]!.GetValue<string>(), Is.EqualTo("v1.2.0-rc.1"));
        Assert.That(created["body"]!.GetValue<string>(), Is.EqualTo(body));
        Assert.That(created["prerelease"]!.GetValue<bool>(), Is.True, "a tag with a pre-release part");
        Assert.That(calls[3].Url.Query, Is.EqualTo("?name=metrics.json"));
        Assert.That(calls[3].ContentType, Is.EqualTo("application/octet-stream"));
        Assert.That(calls[3].Text, Is.EqualTo("""{"auc":0.8427}"""));
        Assert.That(calls[4].Url.Query, Is.EqualTo("?name=model-card.md"));
        Assert.That(outcome.Created, Is.True);
        Assert.That(outcome.Uploaded, Is.EqualTo(new[] { "metrics.json", "model-card.md" }));
        Assert.That(outcome.Replaced, Is.Empty);
    }

    [Test]
    public async Task GivenTheTagHasARelease_WhenPublished_ThenItIsEditedAndTheSameNamedAssetReplaced()
    {
        using var session = ApiSession.Tag();
        var metrics = session.File("metrics.json", """{"auc":0.8427}""");
        var lockFile = session.File("mlops.lock.json", """{"schema":1}""");
        session.Recorder.AfterSend = async (url, response) =>
        {
            if (!url.AbsolutePath.EndsWith("/assets", StringComparison.Ordinal) || response.RequestMessage!.Method != HttpMethod.Get)
            {
                return response;
            }

            // The release already has a metrics.json from an earlier run of the job.
            var assets = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            assets[0]!["id"] = 7;
            assets[0]!["name"] = "metrics.json";
            return ApiRecorder.Json(HttpStatusCode.OK, assets.ToJsonString());
        };

        var outcome = await new ReleasePublisher(session.Client).PublishAsync(session.Context, "notes", [metrics, lockFile]);

        session.Recorder.AssertAllAccepted();
        Assert.That(session.Recorder.Calls.Select(call => $"{call.Method} {call.Path}{call.Url.Query}"), Is.EqualTo(new[]
        {
            "GET /repos/acme/models/releases/tags/v1.2.0",
            $"PATCH /repos/acme/models/releases/{outcome.ReleaseId}",
            $"GET /repos/acme/models/releases/{outcome.ReleaseId}/assets?per_page=100",
            "DELETE /repos/acme/models/releases/assets/7",
            $"POST /repos/octocat/Hello-World/releases/{outcome.ReleaseId}/assets?name=metrics.json",
            $"POST /repos/octocat/Hello-World/releases/{outcome.ReleaseId}/assets?name=mlops.lock.json",
        }));
        var edited = session.Recorder.Calls[1].Json;
        Assert.That((edited["name"]!.GetValue<string>(), edited["body"]!.GetValue<string>(), edited["prerelease"]!.GetValue<bool>()), Is.EqualTo(("v1.2.0", "notes", false)));
        Assert.That(outcome.Created, Is.False);
        Assert.That(outcome.Replaced, Is.EqualTo(new[] { "metrics.json" }));
    }

    [Test]
    public void GivenAnAssetThatDoesNotExist_WhenPublished_ThenBM9105BeforeAnyRequest()
    {
        using var session = ApiSession.Tag();
        var missing = Path.Combine(Path.GetTempPath(), "buildmlops-no-such-dir", "model-card.md");

        var error = Assert.ThrowsAsync<MlopsException>(() => new ReleasePublisher(session.Client).PublishAsync(session.Context, "notes", [missing]))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.ReleaseAssetUnreadable));
        Assert.That(error.Location.File, Is.EqualTo(missing));
        Assert.That(session.Recorder.Calls, Is.Empty);
    }

    [Test]
    public void GivenABranchRun_WhenPublishedWithoutATag_ThenBM9101()
    {
        using var session = ApiSession.PullRequest();

        var error = Assert.ThrowsAsync<MlopsException>(() => new ReleasePublisher(session.Client).PublishAsync(session.Context, "notes", []))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.GitHubContextMissing));
        Assert.That(session.Recorder.Calls, Is.Empty);
    }
}
