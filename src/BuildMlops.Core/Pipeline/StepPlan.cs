namespace BuildMlops.Pipeline;

/// <summary>Whether a step must run, and why: what changed since the lock file's record of it.</summary>
public sealed record StepPlan(StepName Step, SortedDictionary<string, string> Deps, IReadOnlyList<string> Reasons)
{
    public bool UpToDate => Reasons.Count == 0;

    /// <summary>The line the build log shows for the step.</summary>
    public string Describe() => UpToDate
        ? $"{Step.Target()}: up to date"
        : $"{Step.Target()}: running because {string.Join("; ", Reasons)}";
}
