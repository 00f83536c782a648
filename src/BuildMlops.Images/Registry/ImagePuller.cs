using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// Pulls an image into an OCI layout folder that may be shared by many images and processes: a blob is written
/// only by temporary file and rename after its SHA-256 matched while it streamed in, blobs already there are
/// not fetched again, and index.json changes under a lock. Manifests are kept as the registry's bytes, Docker
/// media types and all, so every digest stays the registry's.
/// </summary>
internal sealed class ImagePuller(RegistryTransport transport, RegistryOptions options, RegistryProgress progress)
{
    /// <summary>Manifests are small; a bigger answer is not one.</summary>
    private const int ManifestLimit = 4 << 20;

    private const string ContentDigestHeader = "Docker-Content-Digest";

    private sealed record FetchedManifest(byte[] Content, string MediaType, string Digest, Uri Uri);

    /// <summary>A read of a blob's body that broke off: the download is worth repeating.</summary>
    private sealed class InterruptedDownload(Exception inner) : Exception(inner.Message, inner);

    public async Task<string> ResolveAsync(ImageReference reference, CancellationToken cancellation)
    {
        var host = RegistryHost.For(reference.Registry, options.InsecureRegistries);
        var uri = host.Manifest(reference.Repository, reference.ManifestReference);
        var head = new RegistryRequest(HttpMethod.Head, uri, [RegistryScopes.Pull(reference.Repository)]) { Accept = ManifestTypes.Accepted };
        using (var response = await transport.SendAsync(host, head, cancellation))
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw NotFound(uri, reference);
            }

            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.MethodNotAllowed))
            {
                throw await RegistryErrors.UnexpectedAsync(response, $"resolving {reference}", cancellation);
            }

            if (response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues(ContentDigestHeader, out var values) && values.FirstOrDefault() is { Length: > 0 } digest)
            {
                if (reference.Digest is not null && digest != reference.Digest)
                {
                    throw RegistryErrors.DigestMismatch(uri, $"registry {host.Name} says the manifest {reference.Digest} has the digest {digest}");
                }

                return digest;
            }
        }

        // A HEAD without the digest (or not allowed): the manifest itself, hashed here, says it.
        return (await FetchManifestAsync(host, reference, reference.ManifestReference, reference.Digest, cancellation)).Digest;
    }

    public async Task<PulledImage> PullAsync(ImageReference source, string layoutDirectory, string refName, string architecture, string os, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(refName))
        {
            throw new MlopsException(ErrorCodes.BadImageSetting, new SourceLocation(layoutDirectory), "the name to give the pulled image in the layout is empty", "Name it, e.g. by the reference's tag");
        }

        var layout = Path.GetFullPath(layoutDirectory);
        if (Directory.Exists(layout) && Directory.EnumerateFileSystemEntries(layout).Any() && !File.Exists(Path.Combine(layout, "oci-layout")))
        {
            throw new MlopsException(ErrorCodes.BadImageSetting, new SourceLocation(layout), "the folder to pull into is not empty and not an OCI image layout", "Pull into an empty folder or an OCI layout");
        }

        var host = RegistryHost.For(source.Registry, options.InsecureRegistries);
        var wantedArchitecture = NormalizeArchitecture(architecture);
        var manifest = await FetchManifestAsync(host, source, source.ManifestReference, source.Digest, cancellation);
        string? indexDigest = null;
        JsonObject? platform = null;
        for (var depth = 0; ManifestTypes.IsIndex(manifest.MediaType); depth++)
        {
            indexDigest ??= manifest.Digest;
            var chosen = depth < 4 ? ChoosePlatform(manifest, wantedArchitecture, os) : null;
            if (chosen is null)
            {
                throw RegistryErrors.NotFound(manifest.Uri, $"{source} has no {os}/{wantedArchitecture} image (it has: {Platforms(manifest)})", "Pick an image built for that platform, or build for one the image has");
            }

            platform = chosen["platform"]!.DeepClone().AsObject();
            var descriptor = Manifest(manifest, () => Descriptor.From(chosen));
            manifest = await FetchManifestAsync(host, source, descriptor.Digest, descriptor.Digest, cancellation);
        }

        if (!ManifestTypes.IsImageManifest(manifest.MediaType))
        {
            throw RegistryErrors.NotFound(manifest.Uri, $"{source} has a manifest of type '{manifest.MediaType}', which is not an OCI or Docker v2 image manifest", "Use an image pushed with a current Docker, Podman, Buildah or BuildMlops (Docker's schema 1 is not read)");
        }

        var body = Manifest(manifest, () => JsonNode.Parse(manifest.Content)?.AsObject() ?? throw new InvalidDataException("not an object"));
        var config = Manifest(manifest, () => Descriptor.From(body["config"]));
        var layers = Manifest(manifest, () => (body["layers"] as JsonArray ?? []).Select(Descriptor.From).ToList());

        var blobs = new BlobStore(layout);
        var downloaded = 0;
        long bytes = 0;
        var wanted = layers.Select(layer => (Blob: layer, Role: "layer")).Prepend((Blob: config, Role: "config")).DistinctBy(item => item.Blob.Digest);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = cancellation };
        await Parallel.ForEachAsync(wanted, parallel, async (item, token) =>
        {
            if (await FetchBlobAsync(host, source.Repository, item.Blob, item.Role, blobs, token))
            {
                Interlocked.Increment(ref downloaded);
                Interlocked.Add(ref bytes, item.Blob.Size);
            }
        });

        platform ??= PlatformOfConfig(blobs.PathOf(config.Digest), source, manifest.Uri, wantedArchitecture, os);
        blobs.Add(manifest.Content);
        LayoutIndex.Put(layout, new JsonObject
        {
            ["mediaType"] = manifest.MediaType,
            ["digest"] = manifest.Digest,
            ["size"] = manifest.Content.Length,
            ["platform"] = platform,
            ["annotations"] = new JsonObject { [LayoutIndex.RefNameAnnotation] = refName },
        }, refName);
        progress.Report($"pulled {source} ({Descriptor.Short(manifest.Digest)}) as '{refName}': {downloaded} blobs, {RegistryProgress.Size(bytes)} downloaded");
        return new PulledImage(manifest.Digest, manifest.MediaType, manifest.Content.Length, refName)
        {
            IndexDigest = indexDigest,
            BlobsDownloaded = downloaded,
            BytesDownloaded = bytes,
        };
    }

    /// <summary>GETs a manifest and checks its digest against the one asked for and the one the registry says.</summary>
    private async Task<FetchedManifest> FetchManifestAsync(RegistryHost host, ImageReference image, string reference, string? expectedDigest, CancellationToken cancellation)
    {
        var uri = host.Manifest(image.Repository, reference);
        var get = new RegistryRequest(HttpMethod.Get, uri, [RegistryScopes.Pull(image.Repository)]) { Accept = ManifestTypes.Accepted };
        using var response = await transport.SendAsync(host, get, cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw NotFound(uri, image);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await RegistryErrors.UnexpectedAsync(response, $"getting the manifest of {image}", cancellation);
        }

        byte[] content;
        try
        {
            await response.Content.LoadIntoBufferAsync(ManifestLimit, cancellation);
            content = await response.Content.ReadAsByteArrayAsync(cancellation);
        }
        catch (HttpRequestException exception) when (!cancellation.IsCancellationRequested)
        {
            throw new MlopsException(ErrorCodes.RegistryProtocolError, RegistryErrors.Where(uri), $"the manifest of {image} could not be read whole: {exception.Message}", "Try again; a manifest over 4 MB is not one");
        }

        var digest = Descriptor.DigestOf(content);
        if (expectedDigest is not null && digest != expectedDigest)
        {
            throw RegistryErrors.DigestMismatch(uri, $"registry {host.Name} sent a manifest for {expectedDigest} whose bytes hash to {digest}");
        }

        if (response.Headers.TryGetValues(ContentDigestHeader, out var values) && values.FirstOrDefault() is { Length: > 0 } said && said != digest)
        {
            throw RegistryErrors.DigestMismatch(uri, $"registry {host.Name} says the manifest of {image} is {said}, but its bytes hash to {digest}");
        }

        return new FetchedManifest(content, MediaTypeOf(response, content), digest, uri);
    }

    /// <summary>The Content-Type when it is a manifest type, else the manifest's own mediaType field (which OCI makes optional).</summary>
    private static string MediaTypeOf(HttpResponseMessage response, byte[] content)
    {
        var declared = response.Content.Headers.ContentType?.MediaType ?? "";
        if (ManifestTypes.IsIndex(declared) || ManifestTypes.IsImageManifest(declared))
        {
            return declared;
        }

        try
        {
            var json = JsonNode.Parse(content) as JsonObject;
            return (string?)json?["mediaType"]
                ?? (json?["manifests"] is not null ? MediaTypes.ImageIndex : json?["config"] is not null && json["layers"] is not null ? MediaTypes.ImageManifest : declared);
        }
        catch (JsonException)
        {
            return declared;
        }
    }

    /// <summary>Downloads one blob unless the layout has it; true when bytes were downloaded.</summary>
    private async Task<bool> FetchBlobAsync(RegistryHost host, string repository, Descriptor blob, string role, BlobStore blobs, CancellationToken cancellation)
    {
        var name = $"{role} {Descriptor.Short(blob.Digest)}";
        var target = blobs.PathOf(blob.Digest);
        if (File.Exists(target) && new FileInfo(target).Length == blob.Size)
        {
            progress.Report($"{name} already in the layout");
            return false;
        }

        progress.Report($"pulling {name} {RegistryProgress.Size(blob.Size)}");
        var uri = host.Blob(repository, blob.Digest);
        for (var attempt = 1; ; attempt++)
        {
            var temporary = blobs.NewTemporaryPath();
            try
            {
                using var response = await transport.SendExpectingAsync(host, new RegistryRequest(HttpMethod.Get, uri, [RegistryScopes.Pull(repository)]), $"downloading {name}", cancellation, HttpStatusCode.OK);
                var (digest, size) = await DownloadAsync(response, temporary, blob.Size, cancellation);
                if (digest != blob.Digest || size != blob.Size)
                {
                    throw RegistryErrors.DigestMismatch(uri, $"registry {host.Name} sent {size} bytes hashing to {digest} for the {role} {blob.Digest} ({blob.Size} bytes); nothing was kept");
                }

                File.Move(temporary, target, overwrite: true);
                return true;
            }
            catch (InterruptedDownload interrupted) when (attempt < RegistryTransport.Attempts && !cancellation.IsCancellationRequested)
            {
                progress.Report($"{name}: the download broke off ({interrupted.Message}); starting it again");
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellation);
            }
            catch (InterruptedDownload interrupted)
            {
                throw RegistryErrors.Unreachable(host, uri, interrupted.InnerException!);
            }
            finally
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Streams the body into <paramref name="temporary"/>, hashing it; reads at most one byte past the expected size.</summary>
    private static async Task<(string Digest, long Size)> DownloadAsync(HttpResponseMessage response, string temporary, long expectedSize, CancellationToken cancellation)
    {
        using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var hashing = new HashingStream(file, leaveOpen: true);
        var buffer = new byte[1 << 16];
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            int read;
            while (hashing.BytesWritten <= expectedSize && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, expectedSize + 1 - hashing.BytesWritten)), cancellation)) > 0)
            {
                hashing.Write(buffer.AsSpan(0, read));
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellation.IsCancellationRequested)
        {
            throw new InterruptedDownload(exception);
        }

        hashing.Flush();
        return (hashing.Digest(), hashing.BytesWritten);
    }

    private static JsonObject? ChoosePlatform(FetchedManifest index, string architecture, string os)
    {
        var entries = Manifest(index, () => (JsonNode.Parse(index.Content)?["manifests"] as JsonArray ?? []).OfType<JsonObject>().ToList());
        return entries.FirstOrDefault(entry =>
            entry["platform"] is JsonObject platform
            && (string?)platform["os"] == os
            && NormalizeArchitecture((string?)platform["architecture"] ?? "") == architecture);
    }

    private static string Platforms(FetchedManifest index)
    {
        var entries = Manifest(index, () => (JsonNode.Parse(index.Content)?["manifests"] as JsonArray ?? []).OfType<JsonObject>().ToList());
        var names = entries.Select(entry => entry["platform"] is JsonObject platform
            ? $"{platform["os"]}/{platform["architecture"]}{(platform["variant"] is { } variant ? "/" + variant : "")}"
            : "(no platform)").Distinct().ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    /// <summary>A single-platform image says its platform in its config; pulling it for another platform is a mistake to stop at.</summary>
    private static JsonObject PlatformOfConfig(string configPath, ImageReference source, Uri uri, string architecture, string os)
    {
        JsonObject? config = null;
        try
        {
            config = JsonNode.Parse(File.ReadAllBytes(configPath)) as JsonObject;
        }
        catch (JsonException)
        {
            // Not an image config (an artifact); it names no platform to check.
        }

        var actualArchitecture = (string?)config?["architecture"];
        var actualOs = (string?)config?["os"];
        if (actualArchitecture is not null && actualOs is not null && (NormalizeArchitecture(actualArchitecture) != architecture || actualOs != os))
        {
            throw RegistryErrors.NotFound(uri, $"{source} is an image for {actualOs}/{actualArchitecture}, not {os}/{architecture}", "Pick an image built for that platform, or build for the image's");
        }

        var platform = new JsonObject { ["architecture"] = actualArchitecture ?? architecture, ["os"] = actualOs ?? os };
        if ((string?)config?["variant"] is { } variant)
        {
            platform["variant"] = variant;
        }

        return platform;
    }

    /// <summary>Go's architecture names, which OCI uses; .NET and uname say x64/x86_64 and arm64/aarch64.</summary>
    private static string NormalizeArchitecture(string architecture) => architecture.ToLowerInvariant() switch
    {
        "x64" or "x86_64" => "amd64",
        "aarch64" => "arm64",
        var other => other,
    };

    /// <summary>Runs a read of a registry's manifest, turning what it lacks into BM7006.</summary>
    private static T Manifest<T>(FetchedManifest manifest, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new MlopsException(ErrorCodes.RegistryProtocolError, RegistryErrors.Where(manifest.Uri), $"the registry's manifest {manifest.Digest} cannot be read: {exception.Message}", "The image is damaged in the registry; push it again");
        }
    }

    private static MlopsException NotFound(Uri uri, ImageReference image) =>
        RegistryErrors.NotFound(uri, $"{image} is not in the registry", "Check the repository and tag (and that the image was pushed); for a private image, that the credentials may pull it");
}
