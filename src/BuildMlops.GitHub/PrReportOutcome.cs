namespace BuildMlops.GitHub;

/// <summary>What publishing a pull request report did, and the exit code the CI step should end with.</summary>
public sealed record PrReportOutcome
{
    /// <summary>No gate failed.</summary>
    public required bool Passed { get; init; }

    /// <summary>Whether the report was appended to <c>GITHUB_STEP_SUMMARY</c> (false outside Actions).</summary>
    public required bool SummaryWritten { get; init; }

    /// <summary>The pull request comment's page, when one was created or edited.</summary>
    public Uri? CommentUrl { get; init; }

    /// <summary>Whether the comment was edited in place (an earlier run's) rather than created.</summary>
    public bool CommentUpdated { get; init; }

    /// <summary>The check run's page, when it was created.</summary>
    public Uri? CheckRunUrl { get; init; }

    /// <summary>GitHub refused to let the token write (a pull request from a fork): the report is in the step summary only.</summary>
    public bool ReadOnlyToken { get; init; }

    /// <summary>0 when every gate passed, 1 when one failed, read-only token or not: the job fails through this.</summary>
    public int ExitCode => Passed ? 0 : 1;
}
