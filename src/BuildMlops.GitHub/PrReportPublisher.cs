using BuildMlops.Pipeline;
using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// Publishes a pull request report everywhere it goes: appended to the step summary first (it needs no permission),
/// then as the pull request's one BuildMlops comment, then as the BuildMlops check run on the head commit. A read-only
/// token (a pull request from a fork) costs one BM9104 warning and skips the API calls' results, never the summary or
/// the exit code; any other API failure is BM9103.
/// </summary>
public sealed class PrReportPublisher(IGitHubClient client, IMlopsLog log)
{
    /// <summary>Publishes <paramref name="report"/> for <paramref name="context"/>'s commit (and pull request, if it is one).</summary>
    public async Task<PrReportOutcome> PublishAsync(GitHubContext context, PrReport report)
    {
        report = report.WithPathsRelativeTo(context.Workspace);
        var forbidden = new ForbiddenTracker(log, context);
        var summaryWritten = StepSummaryWriter.Append(context.StepSummaryPath, PrReportMarkdown.Body(report));

        PublishedComment? comment = null;
        if (context.PullRequest is { } pullRequest)
        {
            comment = await CallAsync(context, forbidden, $"writing the report comment on pull request #{pullRequest.Number}", () =>
                new PullRequestCommenter(client).PublishAsync(context.Owner, context.Name, pullRequest.Number, PrReportMarkdown.Comment(report)));
        }

        var checkRun = await CallAsync(context, forbidden, $"creating the {CheckRunPublisher.CheckName} check run on {context.Sha}", () =>
            new CheckRunPublisher(client).PublishAsync(context.Owner, context.Name, context.Sha, CheckRunContent.FromReport(report, context.Workspace), context.RunUrl));

        if (comment is not null)
        {
            log.Important($"GitHub: report comment {(comment.Updated ? "updated" : "created")}: {comment.Comment.HtmlUrl}");
        }

        if (checkRun is not null)
        {
            log.Important($"GitHub: check run {CheckRunPublisher.CheckName} {(report.Passed ? "succeeded" : "failed")}: {checkRun.HtmlUrl}");
        }

        return new PrReportOutcome
        {
            Passed = report.Passed,
            SummaryWritten = summaryWritten,
            CommentUrl = Url(comment?.Comment.HtmlUrl),
            CommentUpdated = comment?.Updated ?? false,
            CheckRunUrl = Url(checkRun?.HtmlUrl),
            ReadOnlyToken = forbidden.Forbidden,
        };
    }

    private static async Task<T?> CallAsync<T>(GitHubContext context, ForbiddenTracker forbidden, string action, Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (GitHubApiErrors.IsApiFailure(exception))
        {
            if (forbidden.Absorb(exception, action))
            {
                return null;
            }

            throw GitHubApiErrors.Wrap(exception, action, context.ApiUrl);
        }
    }

    private static Uri? Url(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
}
