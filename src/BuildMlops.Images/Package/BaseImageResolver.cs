using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Pipeline;

namespace BuildMlops.Images.Package;

/// <summary>
/// Finds the base image and makes it available as an OCI layout folder. A registry base is pulled
/// once into the shared image cache (<c>images/</c> in the content cache folder), named there by its
/// reference and digest; every project and build after that reuses the blobs on disk.
/// </summary>
public static class BaseImageResolver
{
    /// <summary>
    /// The base's digest when it is known without asking a registry: a local layout's, a reference
    /// pinned by digest, or the one the previous build recorded for the same reference (unless
    /// MlopsRefreshBaseImage). Null means a registry must be asked.
    /// </summary>
    public static string? KnownDigest(ImageSettings settings, ImageSummary? previous, SourceLocation location)
    {
        if (settings.LocalBase is { } local)
        {
            return LocalDigest(local.Directory, local.Reference, location);
        }

        var reference = ImageReference.Parse(settings.BaseImage);
        if (reference.Digest is not null)
        {
            return reference.Digest;
        }

        return !settings.RefreshBaseImage && previous?.Base.Reference == settings.BaseImage && previous.Base.Digest.Length > 0
            ? previous.Base.Digest
            : null;
    }

    /// <summary>The base as a layout the image builder reads, pulled into <paramref name="imageCache"/> if need be, and its digest.</summary>
    public static async Task<(BaseImage Base, string Digest)> ResolveAsync(
        ImageSettings settings, ImageSummary? previous, string imageCache, RegistryClient client, IMlopsLog log, SourceLocation location, CancellationToken cancellation)
    {
        if (settings.LocalBase is { } local)
        {
            return (new BaseImage(local.Directory, local.Reference), LocalDigest(local.Directory, local.Reference, location));
        }

        var reference = ImageReference.Parse(settings.BaseImage);
        var digest = KnownDigest(settings, previous, location);
        if (digest is null)
        {
            log.Message($"MlopsPackage: asking {reference.Registry} what {settings.BaseImage} points at");
            digest = await client.ResolveAsync(reference, cancellation).ConfigureAwait(false);
        }

        // One cache entry per base and platform: a multi-platform index resolves to a different manifest per platform.
        var pinned = reference.WithDigest(digest);
        var refName = $"{pinned}+{settings.OperatingSystem}-{settings.Architecture}";
        if (!HasReference(imageCache, refName))
        {
            log.Important($"MlopsPackage: pulling base image {pinned} ({settings.OperatingSystem}/{settings.Architecture}) into {imageCache}");
            await client.PullAsync(pinned, imageCache, refName, settings.Architecture, settings.OperatingSystem, cancellation).ConfigureAwait(false);
        }

        return (new BaseImage(imageCache, refName, reference.WithDigest(digest).ToString()), digest);
    }

    private static bool HasReference(string layout, string refName)
    {
        var index = Path.Combine(layout, "index.json");
        if (!File.Exists(index))
        {
            return false;
        }

        return Entries(index).Any(entry => RefName(entry) == refName && File.Exists(BlobPath(layout, (string?)entry["digest"])));
    }

    private static string LocalDigest(string layout, string? reference, SourceLocation location)
    {
        var index = Path.Combine(layout, "index.json");
        if (!File.Exists(index) || !File.Exists(Path.Combine(layout, "oci-layout")))
        {
            throw new MlopsException(ErrorCodes.BaseImageUnavailable, location, $"the base image folder {layout} is not an OCI image layout (it needs oci-layout and index.json)", "Point MlopsBaseImage at a layout written by e.g. 'skopeo copy docker://IMAGE oci:DIR:TAG', as oci:DIR:TAG");
        }

        var matches = Entries(index).Where(entry => reference is null || RefName(entry) == reference).ToList();
        if (matches.Count != 1)
        {
            var names = string.Join(", ", Entries(index).Select(RefName).Where(name => name is not null));
            throw new MlopsException(ErrorCodes.BaseImageUnavailable, location, reference is null
                ? $"the base image folder {layout} holds {matches.Count} images"
                : $"the base image folder {layout} has no single image named '{reference}'", $"Name one of its images: {names}");
        }

        return (string?)matches[0]["digest"] ?? throw new MlopsException(ErrorCodes.BaseImageUnavailable, location, $"{index} has an entry without a digest", "Write the layout again");
    }

    private static IEnumerable<JsonObject> Entries(string indexPath)
    {
        try
        {
            return (JsonNode.Parse(File.ReadAllText(indexPath))?["manifests"]?.AsArray() ?? []).OfType<JsonObject>().ToList();
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static string? RefName(JsonObject entry) => (string?)entry["annotations"]?["org.opencontainers.image.ref.name"];

    private static string BlobPath(string layout, string? digest) =>
        digest is not null && digest.StartsWith("sha256:", StringComparison.Ordinal) ? Path.Combine(layout, "blobs", "sha256", digest[7..]) : Path.Combine(layout, "missing");
}
