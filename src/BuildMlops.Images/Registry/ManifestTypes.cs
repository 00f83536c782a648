namespace BuildMlops.Images.Registry;

/// <summary>The manifest media types pulled and pushed: OCI's and Docker's v2 schema 2, single- and multi-platform.</summary>
internal static class ManifestTypes
{
    /// <summary>What a manifest request accepts: a registry without it may answer with Docker's old schema 1.</summary>
    public static readonly IReadOnlyList<string> Accepted =
    [
        MediaTypes.ImageManifest,
        MediaTypes.ImageIndex,
        MediaTypes.DockerManifest,
        MediaTypes.DockerManifestList,
    ];

    public static bool IsIndex(string mediaType) => mediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList;

    public static bool IsImageManifest(string mediaType) => mediaType is MediaTypes.ImageManifest or MediaTypes.DockerManifest;
}
