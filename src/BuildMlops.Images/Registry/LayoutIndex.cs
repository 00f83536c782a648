using System.Text.Json;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.Images.Registry;

/// <summary>The index.json of an OCI image layout: which images it holds, by <c>org.opencontainers.image.ref.name</c>.</summary>
internal static class LayoutIndex
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>The entry named <paramref name="refName"/>, or the only entry when it is null; BM7008 when the
    /// folder is no layout or has no such image.</summary>
    public static JsonObject Find(string layout, string? refName)
    {
        var indexPath = Path.Combine(layout, "index.json");
        if (!File.Exists(Path.Combine(layout, "oci-layout")) || !File.Exists(indexPath))
        {
            throw NotPackaged(layout, $"{layout} is not an OCI image layout (it needs oci-layout and index.json)");
        }

        var entries = Entries(Read(indexPath));
        var matching = entries.Where(entry => refName is null || RefName(entry) == refName).ToList();
        if (matching.Count == 1)
        {
            return matching[0];
        }

        var names = string.Join(", ", entries.Select(entry => RefName(entry) ?? "(unnamed)"));
        throw NotPackaged(layout, refName is null
            ? $"the layout {layout} holds {entries.Count} images, so which to push needs naming (it has: {names})"
            : $"the layout {layout} has {matching.Count} images named '{refName}' (it has: {(names.Length > 0 ? names : "none")})");
    }

    public static string? RefName(JsonObject descriptor) => (string?)descriptor["annotations"]?[RefNameAnnotation];

    /// <summary>
    /// Adds <paramref name="descriptor"/> under <paramref name="refName"/>, replacing an entry of that name and
    /// keeping the others. The layout may be a cache that other processes pull into at the same moment, so the
    /// read-modify-write happens under an exclusive lock and index.json is replaced in one rename.
    /// </summary>
    public static void Put(string layout, JsonObject descriptor, string refName)
    {
        using var folderLock = DirectoryLock.Exclusive(layout);
        var ociLayout = Path.Combine(layout, "oci-layout");
        if (!File.Exists(ociLayout))
        {
            AtomicFile.WriteAllBytes(ociLayout, CanonicalJson.Serialize(new JsonObject { ["imageLayoutVersion"] = "1.0.0" }));
        }

        var indexPath = Path.Combine(layout, "index.json");
        var index = File.Exists(indexPath)
            ? Read(indexPath)
            : new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.ImageIndex };
        var kept = Entries(index).Where(entry => RefName(entry) != refName).Select(entry => (JsonNode)entry.DeepClone());
        index["manifests"] = new JsonArray([.. kept, descriptor]);
        AtomicFile.WriteAllBytes(indexPath, CanonicalJson.Serialize(index));
    }

    private static List<JsonObject> Entries(JsonObject index) =>
        (index["manifests"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static JsonObject Read(string indexPath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(indexPath)) as JsonObject
                ?? throw NotPackaged(indexPath, $"{indexPath} is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw NotPackaged(indexPath, $"{indexPath} is not valid JSON: {exception.Message}");
        }
    }

    private static MlopsException NotPackaged(string path, string message) =>
        new(ErrorCodes.ImageNotPackaged, new SourceLocation(path), message, "Package the image first (the build's image step writes the layout), or name the image in it");
}
