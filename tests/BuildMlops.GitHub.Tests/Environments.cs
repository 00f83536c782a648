namespace BuildMlops.GitHub.Tests;

/// <summary>The variables a GitHub Actions runner sets, for contexts made without touching the process's environment.</summary>
internal static class Environments
{
    /// <summary>A secret-looking token that the tests search every message and log line for.</summary>
    public const string Token = "ghs_TESTtoken0123456789abcdefNEVERprint";

    /// <summary>The test merge commit a pull request run gets as GITHUB_SHA: never the one to report on.</summary>
    public const string MergeSha = "ffffffffffffffffffffffffffffffffffffffff";

    public static Dictionary<string, string?> PullRequest(string eventFile, Uri? apiUrl = null, string? summary = null) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_REPOSITORY"] = "acme/models",
        ["GITHUB_EVENT_NAME"] = "pull_request",
        ["GITHUB_EVENT_PATH"] = TestFiles.EventPath(eventFile),
        ["GITHUB_REF"] = "refs/pull/42/merge",
        ["GITHUB_SHA"] = MergeSha,
        ["GITHUB_API_URL"] = apiUrl?.ToString() ?? "https://api.github.com",
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_RUN_ID"] = "7140",
        ["GITHUB_WORKSPACE"] = "/home/runner/work/models/models",
        ["GITHUB_STEP_SUMMARY"] = summary,
        ["GITHUB_TOKEN"] = Token,
    };

    public static Dictionary<string, string?> Push(string eventFile, string reference, Uri? apiUrl = null) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_REPOSITORY"] = "acme/models",
        ["GITHUB_EVENT_NAME"] = "push",
        ["GITHUB_EVENT_PATH"] = TestFiles.EventPath(eventFile),
        ["GITHUB_REF"] = reference,
        ["GITHUB_SHA"] = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        ["GITHUB_API_URL"] = apiUrl?.ToString() ?? "https://api.github.com",
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_RUN_ID"] = "7141",
        ["GITHUB_TOKEN"] = Token,
    };

    public static GitHubContext Read(Dictionary<string, string?> variables) =>
        GitHubContext.Read(name => variables.TryGetValue(name, out var value) ? value : null);
}
