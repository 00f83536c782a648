namespace BuildMlops.ModelRegistry;

/// <summary>A registration's result: the version, and whether it is new (false: the same bytes were registered before).</summary>
public sealed record RegistrationOutcome(RegisteredVersion Version, bool Created);
