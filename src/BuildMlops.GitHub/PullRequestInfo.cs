namespace BuildMlops.GitHub;

/// <summary>The pull request a run is for, as the event file describes it.</summary>
/// <param name="Number">The pull request's number, which is also its issue number (comments go there).</param>
/// <param name="HeadSha">The last commit of the pull request's branch: what check runs attach to. Not <c>GITHUB_SHA</c>,
/// which for a pull request is the test merge commit GitHub made and no one sees in the pull request.</param>
/// <param name="HeadRef">The branch proposed, e.g. <c>feature/seed</c>.</param>
/// <param name="BaseRef">The branch it would merge into, e.g. <c>main</c>.</param>
/// <param name="HeadRepository">The head branch's repository (<c>owner/name</c>); null when that repository has been deleted.</param>
/// <param name="BaseRepository">The repository the pull request is in (<c>owner/name</c>).</param>
/// <param name="IsFork">The head branch lives in another repository: GitHub gives <c>pull_request</c> runs from it a read-only token.</param>
public sealed record PullRequestInfo(
    int Number,
    string HeadSha,
    string HeadRef,
    string BaseRef,
    string? HeadRepository,
    string BaseRepository,
    bool IsFork);
