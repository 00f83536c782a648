using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BuildMlops.Images;

/// <summary>OCI media types this library reads and writes.</summary>
public static class MediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    internal const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    internal const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    internal const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

/// <summary>The content-addressed blobs/sha256 folder of a layout being written; every file goes in by temporary file and rename.</summary>
internal sealed partial class BlobStore
{
    public BlobStore(string layoutDirectory)
    {
        Directory = Path.Combine(layoutDirectory, "blobs", "sha256");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public HashSet<string> Written { get; } = new(StringComparer.Ordinal);

    public string PathOf(string digest) => Path.Combine(Directory, Hex(digest));

    public string NewTemporaryPath() => Path.Combine(Directory, $".tmp-{Guid.NewGuid():N}");

    /// <summary>Moves a finished temporary file to its digest's name (or drops it when that blob is there already).</summary>
    public void Commit(string temporaryPath, string digest)
    {
        var target = PathOf(digest);
        if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(temporaryPath).Length)
        {
            File.Delete(temporaryPath);
        }
        else
        {
            File.Move(temporaryPath, target, overwrite: true);
        }

        Written.Add(Hex(digest));
    }

    public (string Digest, long Size) Add(byte[] content)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        var temporary = NewTemporaryPath();
        File.WriteAllBytes(temporary, content);
        Commit(temporary, digest);
        return (digest, content.Length);
    }

    /// <summary>Copies a blob of another layout in, checking its size and digest.</summary>
    public void CopyFrom(string sourcePath, string digest, long size)
    {
        var target = PathOf(digest);
        if (!File.Exists(target) || new FileInfo(target).Length != size)
        {
            var temporary = NewTemporaryPath();
            using (var source = File.OpenRead(sourcePath))
            using (var hashing = new HashingStream(new FileStream(temporary, FileMode.CreateNew), leaveOpen: false))
            {
                source.CopyTo(hashing);
                hashing.Flush();
                var actual = hashing.Digest();
                if (actual != digest || hashing.BytesWritten != size)
                {
                    hashing.Dispose();
                    File.Delete(temporary);
                    throw new InvalidDataException($"the base image's blob {sourcePath} is {actual} ({hashing.BytesWritten} bytes), not {digest} ({size} bytes) as its manifest says");
                }
            }

            File.Move(temporary, target, overwrite: true);
        }

        Written.Add(Hex(digest));
    }

    /// <summary>Deletes blobs and temporary files this build did not write, so the layout holds this image only.</summary>
    public void RemoveOthers()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(file);
            if (!Written.Contains(name) && (HexDigest().IsMatch(name) || name.StartsWith(".tmp-", StringComparison.Ordinal)))
            {
                File.Delete(file);
            }
        }
    }

    public static string Hex(string digest)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || !HexDigest().IsMatch(digest[7..]))
        {
            throw new InvalidDataException($"'{digest}' is not a sha256 digest");
        }

        return digest[7..];
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HexDigest();
}

/// <summary>An image read from an OCI layout folder: its manifest's layers and its config.</summary>
internal sealed record LoadedBase(string ManifestDigest, JsonObject Config, IReadOnlyList<(string MediaType, string Digest, long Size)> Layers, string LayoutDirectory)
{
    public static LoadedBase Load(BaseImage image, string architecture, string os)
    {
        var layout = Path.GetFullPath(image.LayoutDirectory);
        if (!File.Exists(Path.Combine(layout, "oci-layout")) || !File.Exists(Path.Combine(layout, "index.json")))
        {
            throw new InvalidDataException($"{layout} is not an OCI image layout (it needs oci-layout and index.json)");
        }

        var index = ReadObject(Path.Combine(layout, "index.json"));
        var candidates = Manifests(index)
            .Where(entry => image.Reference is null || RefName(entry) == image.Reference)
            .ToList();
        if (candidates.Count != 1)
        {
            var names = string.Join(", ", Manifests(index).Select(RefName).Where(name => name is not null));
            throw new InvalidDataException(image.Reference is null
                ? $"the base layout {layout} holds {candidates.Count} images; name one by its reference ({names})"
                : $"the base layout {layout} has {candidates.Count} images named '{image.Reference}' (it has: {names})");
        }

        var descriptor = candidates[0];
        for (var depth = 0; IsIndex(MediaType(descriptor)); depth++)
        {
            var nested = ReadObject(BlobPath(layout, Digest(descriptor)));
            var platforms = Manifests(nested).Where(entry =>
                (string?)entry["platform"]?["architecture"] == architecture && (string?)entry["platform"]?["os"] == os).ToList();
            if (platforms.Count == 0 || depth > 4)
            {
                throw new InvalidDataException($"the base image has no {os}/{architecture} manifest");
            }

            descriptor = platforms[0];
        }

        if (MediaType(descriptor) is not (MediaTypes.ImageManifest or MediaTypes.DockerManifest))
        {
            throw new InvalidDataException($"the base image's manifest has media type {MediaType(descriptor)}, not an image manifest");
        }

        var manifestDigest = Digest(descriptor);
        var manifest = ReadObject(BlobPath(layout, manifestDigest));
        var configDigest = Digest(manifest["config"]!.AsObject());
        var config = ReadObject(BlobPath(layout, configDigest));
        var layers = new List<(string, string, long)>();
        foreach (var layer in manifest["layers"]?.AsArray() ?? [])
        {
            var mediaType = MediaType(layer!.AsObject()) switch
            {
                MediaTypes.DockerLayerGzip => MediaTypes.LayerGzip,
                var type when type is MediaTypes.LayerGzip or MediaTypes.LayerTar or MediaTypes.LayerZstd => type,
                var other => throw new InvalidDataException($"the base image has a layer of media type {other}, which model images do not take"),
            };
            layers.Add((mediaType, Digest(layer.AsObject()), (long)layer["size"]!));
        }

        var diffIds = config["rootfs"]?["diff_ids"]?.AsArray().Count ?? -1;
        if (diffIds != layers.Count)
        {
            throw new InvalidDataException($"the base image's config lists {diffIds} diff_ids for {layers.Count} layers");
        }

        return new LoadedBase(manifestDigest, config, layers, layout);
    }

    public static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", BlobStore.Hex(digest));

    private static IEnumerable<JsonObject> Manifests(JsonObject index) =>
        (index["manifests"]?.AsArray() ?? []).Select(node => node!.AsObject());

    private static string? RefName(JsonObject descriptor) => (string?)descriptor["annotations"]?["org.opencontainers.image.ref.name"];

    private static string MediaType(JsonObject descriptor) => (string?)descriptor["mediaType"] ?? "";

    private static string Digest(JsonObject descriptor) => (string?)descriptor["digest"] ?? throw new InvalidDataException("a descriptor has no digest");

    private static bool IsIndex(string mediaType) => mediaType is MediaTypes.ImageIndex or MediaTypes.DockerManifestList;

    private static JsonObject ReadObject(string path) =>
        JsonNode.Parse(File.ReadAllBytes(path))?.AsObject() ?? throw new InvalidDataException($"{path} is not a JSON object");
}
