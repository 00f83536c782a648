using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BuildMlops.Images.Docker;

/// <summary>
/// Turns an OCI image layout tar into a docker-archive tar, the format every engine's <c>/images/load</c> (and
/// <c>docker load</c>) takes; only Docker 25 and later, and Podman, also take the OCI layout itself. The archive holds:
/// <list type="bullet">
/// <item><c>blobs/sha256/HEX</c>: the config and the layers, byte for byte as in the layout (layers stay gzip
/// compressed: engines decompress what they load), at the paths Docker 25's own <c>docker save</c> uses;</item>
/// <item><c>manifest.json</c>: <c>[{"Config":…,"RepoTags":[name:tag],"Layers":[…]}]</c>, what engines read;</item>
/// <item><c>repositories</c>: <c>{"name":{"tag":HEX of the top layer}}</c>, for loaders older than manifest.json.</item>
/// </list>
/// The bytes depend only on the image and the tag: entries sorted by name, ustar headers with uid/gid 0, no
/// user or group names, modes 0755/0644 and the config's "created" time as every mtime. Blobs are streamed
/// from the layout tar and checked against their digests on the way.
/// </summary>
public static partial class DockerArchiveWriter
{
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    private const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    private const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private const UnixFileMode Mode755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes the image of <paramref name="ociLayoutTarPath"/> to <paramref name="output"/> as a docker-archive, leaving it open.</summary>
    /// <param name="ociLayoutTarPath">An OCI image layout as a tar, e.g. <see cref="ImageResult.TarPath"/>.</param>
    /// <param name="repoTag">The name:tag the engine gives the image when it loads it.</param>
    /// <param name="output">Where the tar goes; seekable (a file), because each blob's header is completed after
    /// the blob has been copied and its digest checked.</param>
    /// <param name="reference">The index.json reference name (org.opencontainers.image.ref.name) of the image to
    /// take; null when the layout holds one image.</param>
    /// <exception cref="ArgumentException"><paramref name="repoTag"/> is not name:tag, or <paramref name="output"/> cannot seek.</exception>
    /// <exception cref="InvalidDataException">The tar is not an OCI layout holding such an image, or a blob does not match its digest.</exception>
    public static DockerArchive Write(string ociLayoutTarPath, string repoTag, Stream output, string? reference = null)
    {
        ArgumentNullException.ThrowIfNull(ociLayoutTarPath);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite || !output.CanSeek)
        {
            throw new ArgumentException("the docker-archive must go to a writable, seekable stream (a file)", nameof(output));
        }

        var (repository, tag) = RepoTag.Parse(repoTag);
        using var layout = OciArchiveReader.Open(ociLayoutTarPath);
        var manifestDescriptor = SelectManifest(layout, reference);
        var manifest = ParseObject(layout.ReadBlob(manifestDescriptor.Digest, manifestDescriptor.Size), $"the manifest {manifestDescriptor.Digest}");
        var configDescriptor = Descriptor(manifest["config"], "the manifest's config");
        var configBytes = layout.ReadBlob(configDescriptor.Digest, configDescriptor.Size);
        var config = ParseObject(configBytes, $"the config {configDescriptor.Digest}");
        var layers = Layers(manifest, config);
        var created = Created(config);

        // The config comes from memory (it was read to find "created"), the layers from the layout tar.
        var blobs = new SortedDictionary<string, Func<Stream>>(StringComparer.Ordinal)
        {
            [OciArchiveReader.BlobName(configDescriptor.Digest)] = () => new MemoryStream(configBytes, writable: false),
        };
        foreach (var layer in layers)
        {
            blobs.TryAdd(OciArchiveReader.BlobName(layer.Digest), () => layout.OpenBlob(layer.Digest, layer.Size));
        }

        var layerPaths = layers.Select(layer => OciArchiveReader.BlobName(layer.Digest)).ToList();
        var manifestJson = Json(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("Config", OciArchiveReader.BlobName(configDescriptor.Digest));
            writer.WriteStartArray("RepoTags");
            writer.WriteStringValue(repository + ":" + tag);
            writer.WriteEndArray();
            writer.WriteStartArray("Layers");
            layerPaths.ForEach(path => writer.WriteStringValue(path));
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        });
        var repositoriesJson = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject(repository);
            writer.WriteString(tag, layers[^1].Digest[7..]);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

        using (var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            WriteEntry(tar, "blobs/", null, created);
            WriteEntry(tar, "blobs/sha256/", null, created);
            foreach (var (name, open) in blobs)
            {
                using var data = open();
                WriteEntry(tar, name, data, created);
            }

            WriteEntry(tar, "manifest.json", new MemoryStream(manifestJson, writable: false), created);
            WriteEntry(tar, "repositories", new MemoryStream(repositoriesJson, writable: false), created);
        }

        return new DockerArchive(configDescriptor.Digest, repository + ":" + tag, layers.Select(layer => layer.Digest).ToList(), created);
    }

    private static (string MediaType, string Digest, long Size) SelectManifest(OciArchiveReader layout, string? reference)
    {
        var index = ParseObject(layout.ReadFile("index.json"), "index.json");
        var manifests = (index["manifests"] as JsonArray ?? []).Select(node => node as JsonObject).OfType<JsonObject>().ToList();
        var candidates = manifests.Where(entry => reference is null || (string?)entry["annotations"]?["org.opencontainers.image.ref.name"] == reference).ToList();
        if (candidates.Count != 1)
        {
            throw new InvalidDataException(reference is null
                ? $"{layout.Path} holds {manifests.Count} images; name the one to load by its reference"
                : $"{layout.Path} holds {candidates.Count} images named '{reference}'");
        }

        var descriptor = Descriptor(candidates[0], "index.json's manifest");
        return descriptor.MediaType switch
        {
            MediaTypes.ImageManifest or DockerManifest => descriptor,
            OciIndex or DockerManifestList => throw new InvalidDataException(
                $"{layout.Path} holds a multi-platform image index; a docker-archive holds the image of one platform"),
            var other => throw new InvalidDataException($"index.json of {layout.Path} lists a {other}, not an image manifest"),
        };
    }

    private static List<(string MediaType, string Digest, long Size)> Layers(JsonObject manifest, JsonObject config)
    {
        var layers = (manifest["layers"] as JsonArray ?? []).Select((node, i) => Descriptor(node, $"the manifest's layer {i}")).ToList();
        foreach (var layer in layers)
        {
            // What engines can unpack; foreign, non-distributable or encrypted layers cannot travel in a docker-archive.
            if (layer.MediaType is not (MediaTypes.LayerGzip or MediaTypes.LayerTar or MediaTypes.LayerZstd or DockerLayerGzip))
            {
                throw new InvalidDataException($"the layer {layer.Digest} has media type {layer.MediaType}, which cannot go into a docker-archive");
            }
        }

        var diffIds = (config["rootfs"]?["diff_ids"] as JsonArray)?.Count ?? -1;
        if (layers.Count == 0 || diffIds != layers.Count)
        {
            throw new InvalidDataException($"the image has {layers.Count} layers and its config {diffIds} diff_ids; an engine loads only an image with as many of each, and at least one");
        }

        return layers;
    }

    private static (string MediaType, string Digest, long Size) Descriptor(JsonNode? node, string what)
    {
        if (node is JsonObject descriptor
            && descriptor["digest"] is JsonValue digest && digest.TryGetValue<string>(out var digestText)
            && descriptor["size"] is JsonValue size && size.TryGetValue<long>(out var sizeValue) && sizeValue >= 0)
        {
            OciArchiveReader.BlobName(digestText);
            return ((string?)descriptor["mediaType"] ?? "", digestText, sizeValue);
        }

        throw new InvalidDataException($"{what} is not a descriptor with a digest and a size");
    }

    /// <summary>The config's "created" in whole seconds, or the Unix epoch when it has none (or one before 1970).</summary>
    private static DateTimeOffset Created(JsonObject config)
    {
        if (config["created"] is not JsonValue value || !value.TryGetValue<string>(out var created))
        {
            return DateTimeOffset.UnixEpoch;
        }

        // RFC 3339 allows nanoseconds; .NET parses at most seven fractional digits, and tar keeps none.
        var text = FractionalSeconds().Replace(created, "");
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new InvalidDataException($"the image config's \"created\" is '{created}', not an RFC 3339 time");
        }

        return DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, time.ToUnixTimeSeconds()));
    }

    private static JsonObject ParseObject(byte[] json, string what)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{what} is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {exception.Message}", exception);
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    private static void WriteEntry(TarWriter tar, string name, Stream? data, DateTimeOffset mtime)
    {
        var directory = data is null;
        var entry = new UstarTarEntry(directory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
        {
            Mode = directory ? Mode755 : Mode644,
            ModificationTime = mtime,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        };
        if (data is not null)
        {
            entry.DataStream = data;
        }

        tar.WriteEntry(entry);
    }

    [GeneratedRegex(@"(?<=T\d\d:\d\d:\d\d)\.\d+")]
    private static partial Regex FractionalSeconds();
}
