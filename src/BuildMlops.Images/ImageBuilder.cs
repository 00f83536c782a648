using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace BuildMlops.Images;

/// <summary>
/// Writes a model image as an OCI image layout folder and, optionally, as a tar of that folder (what
/// <c>skopeo copy oci-archive:…</c> and <c>docker load</c>/<c>podman load</c> read). No daemon, no
/// network, and the same inputs give the same bytes: see <see cref="ImageSpec"/> for the layers.
/// </summary>
public static class ImageBuilder
{
    public const string ModelSha256Label = "buildmlops.model.sha256";
    public const string MetricLabelPrefix = "buildmlops.metric.";

    /// <summary>
    /// Builds the image. The layout folder is created, or updated in place when it is already an OCI
    /// layout: blobs go in by temporary file and rename, index.json is written last, and blobs of
    /// earlier builds are then deleted, so the folder ends up holding exactly this image.
    /// </summary>
    /// <param name="outputTarPath">Where to write the layout as a tar, or null for none.</param>
    public static ImageResult Build(ImageSpec spec, string outputLayoutDirectory, string? outputTarPath = null) =>
        Build(spec, outputLayoutDirectory, outputTarPath, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Build(ImageSpec, string, string?)"/> reading SOURCE_DATE_EPOCH through <paramref name="environment"/>.</summary>
    public static ImageResult Build(ImageSpec spec, string outputLayoutDirectory, string? outputTarPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var created = ResolveTimestamp(spec.Timestamp, environment("SOURCE_DATE_EPOCH"));
        Validate(spec);

        var layout = Path.GetFullPath(outputLayoutDirectory);
        if (Directory.Exists(layout) && Directory.EnumerateFileSystemEntries(layout).Any() && !File.Exists(Path.Combine(layout, "oci-layout")))
        {
            throw new IOException($"{layout} is not empty and not an OCI image layout; not writing an image into it");
        }

        var blobs = new BlobStore(layout);
        var loaded = spec.Base is null ? null : LoadedBase.Load(spec.Base, spec.Architecture, spec.OperatingSystem);
        var layers = new List<ImageLayer>();
        var diffIds = (loaded?.Config["rootfs"]?["diff_ids"]?.AsArray() ?? []).Select(node => (string)node!).ToList();
        for (var i = 0; i < (loaded?.Layers.Count ?? 0); i++)
        {
            var (mediaType, digest, size) = loaded!.Layers[i];
            blobs.CopyFrom(LoadedBase.BlobPath(loaded.LayoutDirectory, digest), digest, size);
            layers.Add(new ImageLayer(LayerRole.Base, mediaType, digest, size, diffIds[i]));
        }

        layers.Add(WriteLayer(blobs, LayerRole.App, spec.AppFiles, created));
        layers.Add(WriteLayer(blobs, LayerRole.Model, spec.ModelFiles, created));

        var config = CanonicalJson.Serialize(Config(spec, loaded?.Config, layers, created));
        var (configDigest, configSize) = blobs.Add(config);
        var manifest = CanonicalJson.Serialize(Manifest(spec, loaded, configDigest, configSize, layers, created));
        var (manifestDigest, manifestSize) = blobs.Add(manifest);

        var platform = new JsonObject { ["architecture"] = Architecture(spec, loaded), ["os"] = OperatingSystem(spec, loaded) };
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ImageIndex,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageManifest,
                ["digest"] = manifestDigest,
                ["size"] = manifestSize,
                ["platform"] = platform,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = spec.Tag },
            }),
        };
        var ociLayout = CanonicalJson.Serialize(new JsonObject { ["imageLayoutVersion"] = "1.0.0" });
        var indexJson = CanonicalJson.Serialize(index);
        WriteFileAtomically(Path.Combine(layout, "oci-layout"), ociLayout);
        WriteFileAtomically(Path.Combine(layout, "index.json"), indexJson);
        blobs.RemoveOthers();

        if (outputTarPath is not null)
        {
            WriteLayoutTar(Path.GetFullPath(outputTarPath), blobs, ociLayout, indexJson, created);
        }

        return new ImageResult(manifestDigest, manifestSize, configDigest, layers, created, layout, outputTarPath is null ? null : Path.GetFullPath(outputTarPath));
    }

    /// <summary>SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) when set, else the given time; never now.</summary>
    public static DateTimeOffset ResolveTimestamp(DateTimeOffset? given, string? sourceDateEpoch)
    {
        if (!string.IsNullOrWhiteSpace(sourceDateEpoch))
        {
            if (!long.TryParse(sourceDateEpoch.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            {
                throw new ArgumentException($"SOURCE_DATE_EPOCH is '{sourceDateEpoch}', not a whole number of seconds since 1970-01-01");
            }

            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        if (given is null)
        {
            throw new ArgumentException("the image needs a fixed time: set ImageSpec.Timestamp (e.g. the git commit time) or SOURCE_DATE_EPOCH");
        }

        // Whole seconds, as tar headers hold them, and UTC, so "created" reads the same everywhere.
        return DateTimeOffset.FromUnixTimeSeconds(given.Value.ToUnixTimeSeconds());
    }

    /// <summary>Writes one layer (a gzipped deterministic tar) into the layout.</summary>
    internal static ImageLayer WriteLayer(BlobStore blobs, LayerRole role, IReadOnlyList<LayerEntry> entries, DateTimeOffset mtime)
    {
        var items = DeterministicTar.Complete(entries.Select(entry =>
            new TarItem(entry.Path[1..], entry.IsDirectory, entry.Executable, entry.IsDirectory ? null : entry.OpenRead)));
        var temporary = blobs.NewTemporaryPath();
        string digest, diffId;
        long size;
        try
        {
            using (var compressed = new HashingStream(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), leaveOpen: false))
            {
                using (var gzip = new GZipStream(new GzipHeaderStream(compressed), CompressionLevel.Optimal, leaveOpen: false))
                using (var uncompressed = new HashingStream(gzip, leaveOpen: true))
                {
                    DeterministicTar.Write(uncompressed, items, mtime);
                    diffId = uncompressed.Digest();
                }

                digest = compressed.Digest();
                size = compressed.BytesWritten;
            }

            blobs.Commit(temporary, digest);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return new ImageLayer(role, MediaTypes.LayerGzip, digest, size, diffId);
    }

    private static void Validate(ImageSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Tag) || spec.Tag.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{spec.Tag}' is not an image tag");
        }

        foreach (var entry in spec.AppFiles)
        {
            if (!ImagePath.IsUnder(entry.Path, ImageSpec.AppDirectory) || ImagePath.IsUnder(entry.Path, ImageSpec.ModelDirectory))
            {
                throw new ArgumentException($"the app layer's {entry.Path} is not under {ImageSpec.AppDirectory} (and outside {ImageSpec.ModelDirectory})");
            }
        }

        foreach (var entry in spec.ModelFiles)
        {
            if (!ImagePath.IsUnder(entry.Path, ImageSpec.ModelDirectory))
            {
                throw new ArgumentException($"the model layer's {entry.Path} is not under {ImageSpec.ModelDirectory}");
            }
        }

        if (ModelZip(spec) is null)
        {
            throw new ArgumentException($"the model layer has no {ImageSpec.ModelDirectory}/model.zip");
        }

        if (spec.Entrypoint.Count == 0 || spec.Port is < 1 or > 65535 || string.IsNullOrWhiteSpace(spec.User))
        {
            throw new ArgumentException("the image needs an entry point, a port in 1-65535 and a user");
        }
    }

    private static LayerEntry? ModelZip(ImageSpec spec) =>
        spec.ModelFiles.FirstOrDefault(entry => entry.Path == ImageSpec.ModelDirectory + "/model.zip" && !entry.IsDirectory);

    private static string Architecture(ImageSpec spec, LoadedBase? loaded) => (string?)loaded?.Config["architecture"] ?? spec.Architecture;

    private static string OperatingSystem(ImageSpec spec, LoadedBase? loaded) => (string?)loaded?.Config["os"] ?? spec.OperatingSystem;

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Config(ImageSpec spec, JsonObject? baseConfig, IReadOnlyList<ImageLayer> layers, DateTimeOffset created)
    {
        var baseInner = baseConfig?["config"] as JsonObject;

        // Environment: the base's, in its order, then ours; a name set again keeps its place and takes the new value.
        var environment = new List<KeyValuePair<string, string>>();
        void Set(string name, string value)
        {
            var at = environment.FindIndex(pair => pair.Key == name);
            if (at >= 0)
            {
                environment[at] = new(name, value);
            }
            else
            {
                environment.Add(new(name, value));
            }
        }

        foreach (var item in baseInner?["Env"]?.AsArray() ?? [])
        {
            var text = (string)item!;
            var equals = text.IndexOf('=');
            environment.Add(equals < 0 ? new(text, "") : new(text[..equals], text[(equals + 1)..]));
        }

        var ports = new List<string>();
        var httpPorts = environment.FirstOrDefault(pair => pair.Key == "ASPNETCORE_HTTP_PORTS").Value;
        var urls = environment.FirstOrDefault(pair => pair.Key == "ASPNETCORE_URLS").Value;
        if (!string.IsNullOrWhiteSpace(httpPorts))
        {
            ports.AddRange(httpPorts.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        else if (string.IsNullOrWhiteSpace(urls))
        {
            Set("ASPNETCORE_HTTP_PORTS", spec.Port.ToString(CultureInfo.InvariantCulture));
            ports.Add(spec.Port.ToString(CultureInfo.InvariantCulture));
        }

        Set("MLOPS_MODEL_DIR", ImageSpec.ModelDirectory);
        foreach (var (name, value) in spec.Environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Set(name, value);
        }

        var exposed = new JsonObject();
        foreach (var (port, _) in baseInner?["ExposedPorts"]?.AsObject() ?? [])
        {
            exposed[port] = new JsonObject();
        }

        foreach (var port in ports)
        {
            exposed[port.Contains('/') ? port : port + "/tcp"] = new JsonObject();
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in baseInner?["Labels"]?.AsObject() ?? [])
        {
            labels[name] = (string?)value ?? "";
        }

        labels["org.opencontainers.image.created"] = Rfc3339(created);
        AddIfSet(labels, "org.opencontainers.image.source", spec.Source);
        AddIfSet(labels, "org.opencontainers.image.revision", spec.Revision);
        AddIfSet(labels, "org.opencontainers.image.version", spec.Version);
        labels[ModelSha256Label] = ModelSha256(ModelZip(spec)!);
        foreach (var (name, value) in spec.Metrics)
        {
            labels[MetricLabelPrefix + name] = value.ToString("R", CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in spec.Labels)
        {
            labels[name] = value;
        }

        var inner = new JsonObject
        {
            ["User"] = spec.User,
            ["ExposedPorts"] = exposed,
            ["Env"] = new JsonArray(environment.Select(pair => (JsonNode)(pair.Key + "=" + pair.Value)).ToArray()),
            ["Entrypoint"] = new JsonArray(spec.Entrypoint.Select(part => (JsonNode)part).ToArray()),
            ["WorkingDir"] = ImageSpec.AppDirectory,
            ["Labels"] = new JsonObject(labels.Select(pair => new KeyValuePair<string, JsonNode?>(pair.Key, pair.Value))),
        };
        foreach (var kept in new[] { "StopSignal", "Volumes" })
        {
            if (baseInner?[kept] is { } value)
            {
                inner[kept] = value.DeepClone();
            }
        }

        var history = new JsonArray((baseConfig?["history"]?.AsArray() ?? []).Select(entry => entry?.DeepClone()).ToArray());
        history.Add(new JsonObject { ["created"] = Rfc3339(created), ["created_by"] = "BuildMlops: app layer (mlops-serve) at /app", ["comment"] = "buildmlops" });
        history.Add(new JsonObject { ["created"] = Rfc3339(created), ["created_by"] = $"BuildMlops: model layer at {ImageSpec.ModelDirectory}", ["comment"] = "buildmlops" });

        var config = new JsonObject
        {
            ["created"] = Rfc3339(created),
            ["architecture"] = (string?)baseConfig?["architecture"] ?? spec.Architecture,
            ["os"] = (string?)baseConfig?["os"] ?? spec.OperatingSystem,
            ["config"] = inner,
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray(layers.Select(layer => (JsonNode)layer.DiffId).ToArray()),
            },
            ["history"] = history,
        };
        if (baseConfig?["variant"] is { } variant)
        {
            config["variant"] = variant.DeepClone();
        }

        return config;
    }

    private static JsonObject Manifest(ImageSpec spec, LoadedBase? loaded, string configDigest, long configSize, IReadOnlyList<ImageLayer> layers, DateTimeOffset created)
    {
        var annotations = new JsonObject { ["org.opencontainers.image.created"] = Rfc3339(created) };
        if (spec.Source is not null) { annotations["org.opencontainers.image.source"] = spec.Source; }
        if (spec.Revision is not null) { annotations["org.opencontainers.image.revision"] = spec.Revision; }
        if (spec.Version is not null) { annotations["org.opencontainers.image.version"] = spec.Version; }
        if (loaded is not null)
        {
            annotations["org.opencontainers.image.base.digest"] = loaded.ManifestDigest;
            if (spec.Base?.Name is { } name) { annotations["org.opencontainers.image.base.name"] = name; }
        }

        return new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ImageManifest,
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.ImageConfig, ["digest"] = configDigest, ["size"] = configSize },
            ["layers"] = new JsonArray(layers.Select(layer => (JsonNode)new JsonObject
            {
                ["mediaType"] = layer.MediaType,
                ["digest"] = layer.Digest,
                ["size"] = layer.Size,
            }).ToArray()),
            ["annotations"] = annotations,
        };
    }

    private static void AddIfSet(IDictionary<string, string> labels, string name, string? value)
    {
        if (value is not null)
        {
            labels[name] = value;
        }
    }

    private static string ModelSha256(LayerEntry modelZip)
    {
        using var stream = modelZip.OpenRead();
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The layout as an uncompressed deterministic tar: oci-layout, index.json and this image's blobs at its root.</summary>
    private static void WriteLayoutTar(string tarPath, BlobStore blobs, byte[] ociLayout, byte[] indexJson, DateTimeOffset mtime)
    {
        var items = new List<TarItem>
        {
            new("oci-layout", false, false, () => new MemoryStream(ociLayout, writable: false)),
            new("index.json", false, false, () => new MemoryStream(indexJson, writable: false)),
        };
        foreach (var hex in blobs.Written)
        {
            var path = Path.Combine(blobs.Directory, hex);
            items.Add(new TarItem("blobs/sha256/" + hex, false, false, () => File.OpenRead(path)));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(tarPath)!);
        var temporary = Path.Combine(Path.GetDirectoryName(tarPath)!, $".{Path.GetFileName(tarPath)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                DeterministicTar.Write(output, DeterministicTar.Complete(items), mtime);
            }

            File.Move(temporary, tarPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteFileAtomically(string path, byte[] content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
