namespace BuildMlops.Pipeline;

/// <summary>What happened to a step: whether it ran, and why.</summary>
public sealed record StepResult(StepName Step, bool Ran, IReadOnlyList<string> Reasons)
{
    /// <summary>Where the outputs came from when the run cache had them (then the step did not run).</summary>
    public string? RestoredFrom { get; init; }
}
