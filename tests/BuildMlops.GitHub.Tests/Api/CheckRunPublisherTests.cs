using NUnit.Framework;
using Octokit;

namespace BuildMlops.GitHub.Tests.Api;

public class CheckRunPublisherTests
{
    [Test]
    public async Task Given120FailedGates_WhenPublished_ThenTheCreationCarries50AnnotationsAndTwoUpdatesTheRest()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.same_repository.json");
        var report = SampleReports.ManyFailures(120, Path.Combine(session.Workspace, "pipelines", "wide", "wide.csproj"));

        var run = await new CheckRunPublisher(session.Client).PublishAsync("acme", "models", session.Context.Sha, CheckRunContent.FromReport(report, session.Workspace));

        session.Recorder.AssertAllAccepted();
        var calls = session.Recorder.Calls;
        Assert.That(calls.Select(call => $"{call.Method} {call.Path}"), Is.EqualTo(new[]
        {
            "POST /repos/acme/models/check-runs",
            $"PATCH /repos/acme/models/check-runs/{run.Id}",
            $"PATCH /repos/acme/models/check-runs/{run.Id}",
        }));
        Assert.That(calls.Select(call => call.Json["output"]!["annotations"]!.AsArray().Count), Is.EqualTo(new[] { 50, 50, 20 }));

        var created = calls[0].Json;
        Assert.That(created["name"]!.GetValue<string>(), Is.EqualTo("BuildMlops"));
        Assert.That(created["head_sha"]!.GetValue<string>(), Is.EqualTo(SampleReports.HeadSha));
        Assert.That(created["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(created["conclusion"]!.GetValue<string>(), Is.EqualTo("failure"));
        Assert.That(created["output"]!["title"]!.GetValue<string>(), Does.StartWith("120 gates failed: wide metric_001"));
        Assert.That(created["output"]!["summary"]!.GetValue<string>(), Does.StartWith("## BuildMlops: ❌ 120 gates failed"));
        Assert.That(created["output"]!["text"]!.GetValue<string>(), Does.Contain("`pipelines/wide/wide.csproj:11` gate failed: metric_001 0.5000, gate ≥ 0.8"));

        var annotations = calls.SelectMany(call => call.Json["output"]!["annotations"]!.AsArray()).Select(annotation => annotation!).ToList();
        Assert.That(annotations.Select(annotation => annotation["start_line"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(11, 120)), "every gate once, in order");
        Assert.That(annotations.Select(annotation => annotation["path"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "pipelines/wide/wide.csproj" }), "relative to the repository root");
        Assert.That(annotations.Select(annotation => annotation["annotation_level"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "failure" }));
        Assert.That(annotations[0]["title"]!.GetValue<string>(), Is.EqualTo("BM2001 wide: metric_001"));
        Assert.That(calls.Skip(1).Select(call => call.Json["output"]!["title"]!.GetValue<string>()), Has.All.EqualTo(created["output"]!["title"]!.GetValue<string>()), "updates keep the output's title");
    }

    [Test]
    public async Task GivenEveryGatePassed_WhenPublished_ThenOneSuccessfulRunWithoutAnnotations()
    {
        using var session = ApiSession.PullRequest("pull_request.opened.same_repository.json");

        await new CheckRunPublisher(session.Client).PublishAsync("acme", "models", session.Context.Sha, CheckRunContent.FromReport(SampleReports.AllPassed(), session.Workspace), session.Context.RunUrl);

        session.Recorder.AssertAllAccepted();
        var created = session.Recorder.Calls.Single().Json;
        Assert.That(created["conclusion"]!.GetValue<string>(), Is.EqualTo("success"));
        Assert.That(created["details_url"]!.GetValue<string>(), Is.EqualTo("https://github.com/acme/models/actions/runs/7140"));
        Assert.That(created["output"]!["annotations"], Is.Null);
        Assert.That(created["output"]!["text"], Is.Null);
    }

    [Test]
    public void Given51AnnotationsInOneRequest_WhenSent_ThenGitHubsDescriptionRejectsIt()
    {
        // Shows the batching above is checked by the description (annotations: maxItems 50), not only by the test's counts.
        using var session = ApiSession.PullRequest("pull_request.opened.same_repository.json");
        var annotations = Enumerable.Range(1, 51).Select(line => new NewCheckRunAnnotation("a.csproj", line, line, CheckAnnotationLevel.Failure, "gate failed")).ToList();

        Assert.ThrowsAsync<ApiValidationException>(() => session.Client.Check.Run.Create("acme", "models", new NewCheckRun(CheckRunPublisher.CheckName, SampleReports.HeadSha)
        {
            Status = CheckStatus.Completed,
            Conclusion = CheckConclusion.Failure,
            Output = new NewCheckRunOutput("51 gates failed", "summary") { Annotations = annotations },
        }));

        var call = session.Recorder.Calls.Single();
        Assert.That(call.Accepted, Is.False);
        Assert.That(call.Violations, Does.Contain("annotations"));
    }
}
