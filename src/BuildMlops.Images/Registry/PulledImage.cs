namespace BuildMlops.Images.Registry;

/// <summary>An image pulled into an OCI layout folder, where index.json names it <paramref name="RefName"/>.</summary>
/// <param name="ManifestDigest">The digest of the platform's image manifest, as the registry computes it.</param>
/// <param name="MediaType">The manifest's media type: OCI, or Docker's v2 schema 2, kept as the registry served it.</param>
/// <param name="Size">The manifest's size in bytes.</param>
/// <param name="RefName">The <c>org.opencontainers.image.ref.name</c> of its index.json entry.</param>
public sealed record PulledImage(string ManifestDigest, string MediaType, long Size, string RefName)
{
    /// <summary>The digest of the multi-platform index the manifest was picked from, or null when the reference named a manifest.</summary>
    public string? IndexDigest { get; init; }

    /// <summary>How many blobs (config and layers) were downloaded; the others were in the layout already.</summary>
    public int BlobsDownloaded { get; init; }

    /// <summary>The bytes of the blobs downloaded.</summary>
    public long BytesDownloaded { get; init; }
}
