using BuildMlops.Testing;
using Octokit;

namespace BuildMlops.GitHub.Tests.Api;

/// <summary>A run's context, an Octokit client whose requests go through an <see cref="ApiRecorder"/> to Prism, a log and a step summary file.</summary>
internal sealed class ApiSession : IDisposable
{
    private readonly TemporaryDirectory directory = new("github-api");

    private ApiSession(Dictionary<string, string?> variables, string? stripPrefix)
    {
        SummaryPath = directory.Combine("step-summary.md");
        variables["GITHUB_STEP_SUMMARY"] = SummaryPath;
        Context = Environments.Read(variables);
        Recorder = new ApiRecorder(Prism.Server.BaseUrl, stripPrefix);
        Client = GitHubClientFactory.Create(Context, Recorder);
    }

    public GitHubContext Context { get; }

    public ApiRecorder Recorder { get; }

    public IGitHubClient Client { get; }

    public RecordingLog Log { get; } = new();

    public string SummaryPath { get; }

    public string Workspace => Context.Workspace!;

    /// <summary>A pull request run (from the fork by default) against github.com's API, served by Prism.</summary>
    public static ApiSession PullRequest(string eventFile = "pull_request.opened.fork.json") =>
        new(Environments.PullRequest(eventFile, Prism.Server.BaseUrl), stripPrefix: null);

    /// <summary>A pull request run on GitHub Enterprise Server: GITHUB_API_URL is <c>http://127.0.0.1:port/api/v3</c>.</summary>
    public static ApiSession Enterprise() =>
        new(Environments.PullRequest("pull_request.opened.same_repository.json", new Uri(Prism.Server.BaseUrl, "api/v3")), stripPrefix: "/api/v3");

    /// <summary>A tag push's run, for releases.</summary>
    public static ApiSession Tag(string tag = "v1.2.0") =>
        new(Environments.Push("push.tag.json", "refs/tags/" + tag, Prism.Server.BaseUrl), stripPrefix: null);

    public string File(string name, string content)
    {
        var path = directory.Combine(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        Recorder.Dispose();
        directory.Dispose();
    }
}
