using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// The read-only token of a pull request from a fork makes every write answer 403. The first such answer becomes one
/// warning (BM9104) that explains it, the later ones are silent: a report is a few calls, and a warning per call would
/// bury the one that matters. The report still lands in the step summary, and a failed gate still fails the job
/// through the exit code. Rate limits, which GitHub also answers with 403, are not this and stay errors.
/// </summary>
public sealed class ForbiddenTracker(IMlopsLog log, GitHubContext context)
{
    /// <summary>Whether a write was refused with 403 (and so the warning was given).</summary>
    public bool Forbidden { get; private set; }

    /// <summary>
    /// True when <paramref name="exception"/> is the read-only token's 403, which is then warned about once and
    /// should be ignored; false for anything else, which the caller reports as an error.
    /// </summary>
    public bool Absorb(Exception exception, string action)
    {
        if (exception is not ForbiddenException forbidden || exception is RateLimitExceededException or SecondaryRateLimitExceededException)
        {
            return false;
        }

        if (!Forbidden)
        {
            Forbidden = true;
            log.Warning(ErrorCodes.GitHubTokenReadOnly, new SourceLocation(Where()), Explain(forbidden, action));
        }

        return true;
    }

    private string Where() => (context.PullRequestUrl ?? new Uri(context.ServerUrl, context.Repository)).ToString();

    private string Explain(ForbiddenException forbidden, string action)
    {
        var github = string.IsNullOrWhiteSpace(forbidden.ApiError?.Message) ? "403" : $"403 {forbidden.ApiError.Message}";
        var why = context.PullRequest is { IsFork: true } pullRequest
            ? $"this pull request comes from the fork {pullRequest.HeadRepository ?? "(deleted)"}, and GitHub gives the runs of such pull requests a read-only token"
            : "the token may not write here: grant the job 'pull-requests: write' and 'checks: write' (docs/github.md)";
        return $"GitHub refused {action} ({github}): {why}. The report is in this run's step summary only; the comment and check run are skipped, and a failed gate still fails the job";
    }
}
