namespace BuildMlops.GitHub;

/// <summary>A failure annotation of the check run: GitHub shows it on the file's line in the pull request's diff.</summary>
/// <param name="Path">Relative to the repository root, with forward slashes.</param>
/// <param name="Line">1-based.</param>
/// <param name="Title">Shown in bold above the message, e.g. <c>BM2001 churn: auc</c>.</param>
/// <param name="Message">What failed.</param>
public sealed record CheckAnnotation(string Path, int Line, string Title, string Message);
