namespace BuildMlops.GitHub;

/// <summary>
/// One changed input of a pipeline between production and this pull request: a data file (by its hash, first 12 hex
/// digits) or a parameter (a property, hyperparameter or column setting, as written).
/// </summary>
/// <param name="Name">The data file's path or the parameter's name, e.g. <c>data/wa_churn.csv</c> or <c>MlopsSeed</c>.</param>
/// <param name="Before">The production value; null when the input is new.</param>
/// <param name="After">This pull request's value; null when the input was removed.</param>
public sealed record ReportChange(string Name, string? Before, string? After);
