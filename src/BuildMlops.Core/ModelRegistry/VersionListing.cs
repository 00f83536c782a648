namespace BuildMlops.ModelRegistry;

/// <summary>A model's versions: the complete ones oldest first, and the numbers claimed but never completed or damaged.</summary>
public sealed record VersionListing(IReadOnlyList<RegisteredVersion> Versions, IReadOnlyList<int> Incomplete, IReadOnlyList<int> Corrupt);
