namespace BuildMlops.Gate;

/// <summary>
/// Thrown by <see cref="IBaselineProvider.Score"/> when the baseline model cannot score the current data at all:
/// it needs an input column the data no longer has, or has with another type (the pull request renamed, dropped or
/// retyped a column). The gate then cannot compare the two models on the same rows; it says why, as warning BM2004,
/// and passes, as it does when too few rows are shared.
/// </summary>
public sealed class BaselineNotScorableException(string reason) : Exception(reason)
{
    /// <summary>Why, for the gate's line: e.g. <c>it needs column 'tenure' (Single), which this data does not have</c>.</summary>
    public string Reason => Message;
}
