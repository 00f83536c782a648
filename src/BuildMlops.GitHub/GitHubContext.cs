using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub;

/// <summary>
/// Where a GitHub Actions run is and what it builds, read from the runner's <c>GITHUB_*</c> variables and the event
/// file at <c>GITHUB_EVENT_PATH</c>: the repository, the pull request (with its head sha and whether it comes from a
/// fork), the tag or branch, the API to talk to (<c>GITHUB_API_URL</c>, so GitHub Enterprise Server works), the step
/// summary file and the token. A class rather than a record so that no generated <c>ToString</c> prints the token.
/// </summary>
public sealed class GitHubContext
{
    /// <summary>github.com's API, for runs outside Actions that set no <c>GITHUB_API_URL</c>.</summary>
    public static readonly Uri DefaultApiUrl = new("https://api.github.com/");

    /// <summary>github.com itself.</summary>
    public static readonly Uri DefaultServerUrl = new("https://github.com/");

    /// <summary><c>owner/name</c> (<c>GITHUB_REPOSITORY</c>).</summary>
    public required string Repository { get; init; }

    public string Owner => Repository[..Repository.IndexOf('/')];

    public string Name => Repository[(Repository.IndexOf('/') + 1)..];

    /// <summary><c>GITHUB_EVENT_NAME</c>: <c>pull_request</c>, <c>push</c>, <c>workflow_dispatch</c>, …</summary>
    public required string EventName { get; init; }

    /// <summary><c>GITHUB_REF</c>: <c>refs/pull/12/merge</c>, <c>refs/tags/v1.2.0</c>, <c>refs/heads/main</c>; may be empty.</summary>
    public required string Ref { get; init; }

    public required GitHubRefKind Kind { get; init; }

    /// <summary>The commit to report on: the pull request's head for a pull request, <c>GITHUB_SHA</c> otherwise.</summary>
    public required string Sha { get; init; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="GitHubRefKind.PullRequest"/>.</summary>
    public PullRequestInfo? PullRequest { get; init; }

    /// <summary>The tag's name (<c>v1.2.0</c>) when <see cref="Kind"/> is <see cref="GitHubRefKind.Tag"/>.</summary>
    public string? Tag { get; init; }

    /// <summary>The branch's name when <see cref="Kind"/> is <see cref="GitHubRefKind.Branch"/>.</summary>
    public string? Branch { get; init; }

    /// <summary>The REST API's base, always ending in <c>/</c>: <c>https://api.github.com/</c>, or <c>https://ghe.example.com/api/v3/</c>.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>The web server, ending in <c>/</c>: <c>https://github.com/</c> or the Enterprise host.</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary><c>GITHUB_RUN_ID</c>, when set.</summary>
    public string? RunId { get; init; }

    /// <summary><c>GITHUB_STEP_SUMMARY</c>: the file whose Markdown the run's summary page shows; null outside Actions.</summary>
    public string? StepSummaryPath { get; init; }

    /// <summary><c>GITHUB_WORKSPACE</c>: the checkout, which annotation paths are relative to.</summary>
    public string? Workspace { get; init; }

    /// <summary><c>GITHUB_TOKEN</c>. Never printed: not by <see cref="ToString"/>, not in any message.</summary>
    public string? Token { get; init; }

    /// <summary>The run's page, <c>{server}/{owner}/{repo}/actions/runs/{id}</c>, when the run id is known.</summary>
    public Uri? RunUrl => RunId is null ? null : new Uri(ServerUrl, $"{Repository}/actions/runs/{RunId}");

    /// <summary>The pull request's page, when this is a pull request run.</summary>
    public Uri? PullRequestUrl => PullRequest is null ? null : new Uri(ServerUrl, $"{Repository}/pull/{PullRequest.Number}");

    /// <summary>Reads the context of the current process's environment.</summary>
    public static GitHubContext FromEnvironment() => Read(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads the context from <paramref name="variable"/> (a name to value lookup, e.g. the environment) and the event
    /// file it names. BM9101 when <c>GITHUB_REPOSITORY</c> is missing, or when the event file is named but missing or
    /// a pull request event has none; BM9102 when the event file is not what GitHub writes.
    /// </summary>
    public static GitHubContext Read(Func<string, string?> variable)
    {
        var eventPath = NonEmpty(variable("GITHUB_EVENT_PATH"));
        string? eventJson = null;
        if (eventPath is not null)
        {
            try
            {
                eventJson = File.ReadAllText(eventPath);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new MlopsException(
                    ErrorCodes.GitHubContextMissing,
                    new SourceLocation(eventPath),
                    $"the event file GITHUB_EVENT_PATH names cannot be read: {exception.Message}",
                    "Run this inside a GitHub Actions job, which writes the file, or point GITHUB_EVENT_PATH at a saved event payload");
            }
        }

        return Parse(variable, eventJson, eventPath);
    }

    /// <summary>
    /// The context from variables and the event payload's text, reading no file: the pure half of <see cref="Read"/>.
    /// <paramref name="eventPath"/> only locates errors.
    /// </summary>
    public static GitHubContext Parse(Func<string, string?> variable, string? eventJson, string? eventPath = null)
    {
        var repository = NonEmpty(variable("GITHUB_REPOSITORY"));
        if (repository is null || repository.IndexOf('/') is <= 0 || repository.IndexOf('/') == repository.Length - 1)
        {
            throw new MlopsException(
                ErrorCodes.GitHubContextMissing,
                new SourceLocation("GITHUB_REPOSITORY"),
                repository is null ? "GITHUB_REPOSITORY is not set, so this is not a GitHub Actions run" : $"GITHUB_REPOSITORY is '{repository}', not owner/name",
                "Run this inside a GitHub Actions job, or set GITHUB_REPOSITORY=owner/name (and GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA) to say what to report on");
        }

        var eventName = NonEmpty(variable("GITHUB_EVENT_NAME")) ?? "";
        var reference = NonEmpty(variable("GITHUB_REF")) ?? "";
        var where = new SourceLocation(eventPath ?? "GITHUB_EVENT_PATH");
        var pullRequest = eventName is "pull_request" or "pull_request_target"
            ? GitHubEventParser.PullRequest(eventJson ?? throw NoEventFile(eventName), where)
            : null;
        if (pullRequest is null && eventJson is not null)
        {
            GitHubEventParser.CheckIsObject(eventJson, where); // a damaged file is worth saying even when unused
        }

        var kind = pullRequest is not null ? GitHubRefKind.PullRequest
            : reference.StartsWith("refs/tags/", StringComparison.Ordinal) ? GitHubRefKind.Tag
            : reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? GitHubRefKind.Branch
            : GitHubRefKind.Other;
        var sha = pullRequest?.HeadSha ?? NonEmpty(variable("GITHUB_SHA")) ?? throw new MlopsException(
            ErrorCodes.GitHubContextMissing,
            new SourceLocation("GITHUB_SHA"),
            "GITHUB_SHA is not set, so there is no commit to report on",
            "Run this inside a GitHub Actions job, or set GITHUB_SHA to the commit");

        return new GitHubContext
        {
            Repository = repository,
            EventName = eventName,
            Ref = reference,
            Kind = kind,
            Sha = sha,
            PullRequest = pullRequest,
            Tag = kind == GitHubRefKind.Tag ? reference["refs/tags/".Length..] : null,
            Branch = kind == GitHubRefKind.Branch ? reference["refs/heads/".Length..] : null,
            ApiUrl = BaseUrl(variable, "GITHUB_API_URL", DefaultApiUrl),
            ServerUrl = BaseUrl(variable, "GITHUB_SERVER_URL", DefaultServerUrl),
            RunId = NonEmpty(variable("GITHUB_RUN_ID")),
            StepSummaryPath = NonEmpty(variable("GITHUB_STEP_SUMMARY")),
            Workspace = NonEmpty(variable("GITHUB_WORKSPACE")),
            Token = NonEmpty(variable("GITHUB_TOKEN")),
        };
    }

    /// <summary>Says what is being built, never the token.</summary>
    public override string ToString() =>
        Kind switch
        {
            GitHubRefKind.PullRequest => $"{Repository} pull request #{PullRequest!.Number} at {Sha}{(PullRequest.IsFork ? $" from the fork {PullRequest.HeadRepository ?? "(deleted)"}" : "")}",
            GitHubRefKind.Tag => $"{Repository} tag {Tag} at {Sha}",
            GitHubRefKind.Branch => $"{Repository} branch {Branch} at {Sha}",
            _ => $"{Repository} {EventName} {Ref} at {Sha}".Replace("  ", " ", StringComparison.Ordinal),
        };

    private static MlopsException NoEventFile(string eventName) => new(
        ErrorCodes.GitHubContextMissing,
        new SourceLocation("GITHUB_EVENT_PATH"),
        $"GITHUB_EVENT_NAME is {eventName} but GITHUB_EVENT_PATH names no event file, which says which pull request this is",
        "Run this inside the pull request's GitHub Actions job, which writes the file, or point GITHUB_EVENT_PATH at a saved event payload");

    /// <summary>A base URL with a trailing slash, so that relative API paths land under it (<c>/api/v3/</c> on Enterprise).</summary>
    private static Uri BaseUrl(Func<string, string?> variable, string name, Uri fallback)
    {
        var value = NonEmpty(variable(name));
        if (value is null)
        {
            return fallback;
        }

        if (!Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new MlopsException(
                ErrorCodes.GitHubContextMissing,
                new SourceLocation(name),
                $"{name} is '{value}', not an http or https URL",
                $"Leave {name} as the runner sets it (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server)");
        }

        return url;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
