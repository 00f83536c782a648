namespace BuildMlops.GitHub;

/// <summary>What <see cref="ReleasePublisher"/> did.</summary>
/// <param name="ReleaseId">GitHub's id of the release.</param>
/// <param name="HtmlUrl">The release's page.</param>
/// <param name="Created">True when the release was created; false when the tag's release existed and was edited.</param>
/// <param name="Uploaded">The asset names uploaded, in the order given.</param>
/// <param name="Replaced">The names among them that replaced an asset of the same name.</param>
public sealed record ReleaseOutcome(long ReleaseId, string HtmlUrl, bool Created, IReadOnlyList<string> Uploaded, IReadOnlyList<string> Replaced);
