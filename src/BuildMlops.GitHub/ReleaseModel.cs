namespace BuildMlops.GitHub;

/// <summary>One model in a release's notes: its card, its metrics and the image that serves it.</summary>
/// <param name="Name">The pipeline's name, e.g. <c>churn</c>: the section's heading when there is no card.</param>
/// <param name="Metrics">The model's metrics in metrics.json's order; null for a metric undefined on the test split.</param>
public sealed record ReleaseModel(string Name, IReadOnlyList<KeyValuePair<string, double?>> Metrics)
{
    /// <summary>The model card's Markdown, shown first (it usually starts with its own heading).</summary>
    public string? ModelCard { get; init; }

    /// <summary>The image as pushed, with its tag, e.g. <c>ghcr.io/acme/churn:1.2.0</c>.</summary>
    public string? Image { get; init; }

    /// <summary>The image manifest's digest, <c>sha256:…</c>: what to deploy, since a tag can be moved.</summary>
    public string? ImageDigest { get; init; }
}
