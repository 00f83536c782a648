namespace BuildMlops.Pipeline;

/// <summary>The steps of a model project, in the order they run, with their MSBuild target names.</summary>
public enum StepName
{
    HashData,
    ValidateData,
    Train,
    Evaluate,
    Gate,
}

public static class StepNames
{
    public static readonly IReadOnlyList<StepName> InOrder =
        [StepName.HashData, StepName.ValidateData, StepName.Train, StepName.Evaluate, StepName.Gate];

    /// <summary>The MSBuild target that runs the step, e.g. <c>MlopsTrain</c>.</summary>
    public static string Target(this StepName step) => "Mlops" + step;

    /// <summary>The key of the step in the lock file and on the command line, e.g. <c>train</c>.</summary>
    public static string Key(this StepName step) => step switch
    {
        StepName.HashData => "hash-data",
        StepName.ValidateData => "validate",
        StepName.Train => "train",
        StepName.Evaluate => "evaluate",
        StepName.Gate => "gate",
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    public static StepName Parse(string key) =>
        InOrder.FirstOrDefault(step => step.Key() == key || string.Equals(step.ToString(), key, StringComparison.OrdinalIgnoreCase), (StepName)(-1)) is var step && step >= 0
            ? step
            : throw new ArgumentException($"unknown step '{key}'; steps are {string.Join(", ", InOrder.Select(s => s.Key()))}");
}
