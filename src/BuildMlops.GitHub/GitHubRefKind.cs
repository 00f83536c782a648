namespace BuildMlops.GitHub;

/// <summary>What a workflow run is building: it decides whether a report goes to a pull request or a release is made.</summary>
public enum GitHubRefKind
{
    /// <summary>A ref that is none of the others (a workflow run on a detached sha, a merge queue ref).</summary>
    Other,

    /// <summary>A <c>pull_request</c> or <c>pull_request_target</c> event.</summary>
    PullRequest,

    /// <summary><c>refs/tags/…</c>: a release candidate.</summary>
    Tag,

    /// <summary><c>refs/heads/…</c>.</summary>
    Branch,
}
