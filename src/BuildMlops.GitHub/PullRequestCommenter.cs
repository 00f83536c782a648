using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// Keeps one BuildMlops comment on a pull request: the first run creates it, later runs edit it in place, so the
/// conversation shows the latest report once instead of one comment per push.
/// </summary>
public sealed class PullRequestCommenter(IGitHubClient client)
{
    /// <summary>Comments are listed this many at a time, GitHub's maximum, to find ours in few calls.</summary>
    private const int PageSize = 100;

    /// <summary>
    /// Creates the report comment on pull request <paramref name="number"/>, or edits the one an earlier run left.
    /// <paramref name="body"/> should start with <see cref="PrReportMarkdown.Marker"/> (as <see cref="PrReportMarkdown.Comment"/>
    /// does), or the next run will not find it. Octokit's exceptions pass through.
    /// </summary>
    public async Task<PublishedComment> PublishAsync(string owner, string name, int number, string body)
    {
        body = GitHubTextLimits.Fit(body, GitHubTextLimits.CommentBody);
        var existing = await FindAsync(owner, name, number);
        return existing is null
            ? new PublishedComment(await client.Issue.Comment.Create(owner, name, number, body), Updated: false)
            : new PublishedComment(await client.Issue.Comment.Update(owner, name, existing.Id, body), Updated: true);
    }

    /// <summary>The earliest comment that is a BuildMlops report, searching every page of the pull request's comments.</summary>
    public async Task<IssueComment?> FindAsync(string owner, string name, int number)
    {
        // GetAllForIssue follows the Link headers through every page: a busy pull request has more than one.
        var comments = await client.Issue.Comment.GetAllForIssue(owner, name, number, new ApiOptions { PageSize = PageSize });
        return comments.FirstOrDefault(comment => IsReport(comment.Body));
    }

    /// <summary>
    /// Whether a comment's body is a report: it starts with the marker. Merely containing it is not enough, so that a
    /// reply quoting the report (its lines then start with "&gt; ") is never taken for it and overwritten.
    /// </summary>
    public static bool IsReport(string? body) =>
        body is not null && body.TrimStart().StartsWith(PrReportMarkdown.Marker, StringComparison.Ordinal);
}
