namespace BuildMlops.GitHub;

/// <summary>
/// One changed input of a pipeline between production and this pull request: a data file (by its hash, first 12 hex
/// digits) or a parameter (a property, hyperparameter or column setting, as written).
/// </summary>
/// <param name="Name">The data file's path or the parameter's name, e.g. <c>data/wa_churn.csv</c>, <c>MlopsSeed</c> or <c>NumberOfTrees</c>.</param>
/// <param name="Before">The production value; null when the input is new.</param>
/// <param name="After">This pull request's value; null when the input was removed.</param>
public sealed record ReportChange(string Name, string? Before, string? After)
{
    /// <summary>What the input is, as the report's first column names it: <c>data</c>, <c>parameter</c> (the default), <c>hyperparameter</c> or <c>column setting</c>.</summary>
    public string? Kind { get; init; }
}
