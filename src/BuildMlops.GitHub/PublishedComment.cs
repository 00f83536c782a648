using Octokit;

namespace BuildMlops.GitHub;

/// <summary>The report comment as GitHub holds it after publishing, and whether an earlier run's comment was edited rather than a new one created.</summary>
public sealed record PublishedComment(IssueComment Comment, bool Updated);
