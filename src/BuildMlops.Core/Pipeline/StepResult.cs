namespace BuildMlops.Pipeline;

/// <summary>What happened to a step: whether it ran, and why.</summary>
public sealed record StepResult(StepName Step, bool Ran, IReadOnlyList<string> Reasons);
