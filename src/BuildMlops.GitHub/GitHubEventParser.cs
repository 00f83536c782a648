using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub;

/// <summary>
/// Reads the few fields BuildMlops needs from an Actions event payload (the webhook payload GitHub writes to
/// <c>GITHUB_EVENT_PATH</c>), and nothing else, so that payload fields GitHub adds or drops do not matter.
/// </summary>
internal static class GitHubEventParser
{
    /// <summary>The pull request of a <c>pull_request</c> or <c>pull_request_target</c> payload; BM9102 if it lacks one.</summary>
    public static PullRequestInfo PullRequest(string eventJson, SourceLocation where)
    {
        using var document = ParseObject(eventJson, where);
        var root = document.RootElement;
        if (!root.TryGetProperty("pull_request", out var pullRequest) || pullRequest.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(where, "it has no pull_request object, though the event is a pull request event");
        }

        var number = pullRequest.TryGetProperty("number", out var n) && n.TryGetInt32(out var value) ? value
            : root.TryGetProperty("number", out n) && n.TryGetInt32(out value) ? value
            : throw Invalid(where, "pull_request.number is missing");
        var head = Object(pullRequest, "head", where);
        var @base = Object(pullRequest, "base", where);
        var headSha = String(head, "sha") ?? throw Invalid(where, "pull_request.head.sha is missing");
        var baseRepository = RepositoryName(@base) ?? RepositoryName(root) ?? throw Invalid(where, "pull_request.base.repo.full_name is missing");
        var headRepository = RepositoryName(head);

        // A cross-repository pull request is what gets a read-only token. head.repo.fork alone would also flag a
        // pull request between two branches of a repository that is itself a fork, whose runs can write.
        var isFork = headRepository is null || !string.Equals(headRepository, baseRepository, StringComparison.OrdinalIgnoreCase);
        return new PullRequestInfo(number, headSha, String(head, "ref") ?? "", String(@base, "ref") ?? "", headRepository, baseRepository, isFork);
    }

    /// <summary>BM9102 unless <paramref name="eventJson"/> is a JSON object.</summary>
    public static void CheckIsObject(string eventJson, SourceLocation where) => ParseObject(eventJson, where).Dispose();

    private static JsonDocument ParseObject(string eventJson, SourceLocation where)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(eventJson);
        }
        catch (JsonException exception)
        {
            throw Invalid(where, $"it is not JSON ({exception.Message})");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Invalid(where, "it is not a JSON object");
        }

        return document;
    }

    private static JsonElement Object(JsonElement parent, string name, SourceLocation where) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw Invalid(where, $"pull_request.{name} is missing");

    private static string? RepositoryName(JsonElement parent) =>
        parent.TryGetProperty("repo", out var repo) || parent.TryGetProperty("repository", out repo)
            ? repo.ValueKind == JsonValueKind.Object ? String(repo, "full_name") : null
            : null;

    private static string? String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static MlopsException Invalid(SourceLocation where, string what) => new(
        ErrorCodes.GitHubEventInvalid,
        where,
        $"the GitHub event file is not a payload BuildMlops can read: {what}",
        "Leave GITHUB_EVENT_PATH as the runner sets it; a saved payload must be the webhook payload of the event named by GITHUB_EVENT_NAME");
}
