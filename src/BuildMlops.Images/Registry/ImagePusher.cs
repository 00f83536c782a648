using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// Pushes an image of an OCI layout: its blobs first (each one only when the repository lacks it, mounted from
/// another repository when that works, else uploaded in one PUT or, when the registry refuses that, in chunks),
/// then its manifest under each tag, so a tag never points at a manifest whose blobs are missing.
/// </summary>
internal sealed class ImagePusher(RegistryTransport transport, RegistryOptions options, RegistryProgress progress)
{
    private const string ContentDigestHeader = "Docker-Content-Digest";

    /// <summary>The manifests of the image in push order (an index's children before it) and the blobs they name.</summary>
    private sealed record LocalImage(List<(Descriptor Descriptor, byte[] Content)> Manifests, List<LocalBlob> Blobs);

    private sealed record LocalBlob(Descriptor Descriptor, string Path, string Role);

    private sealed class Tally
    {
        public int Uploaded;
        public int Skipped;
        public int Mounted;
        public long Bytes;
    }

    public async Task<PushResult> PushAsync(string layoutDirectory, string? refName, ImageReference destination, IReadOnlyList<string> tags, IReadOnlyList<string>? mountFrom, CancellationToken cancellation)
    {
        var layout = Path.GetFullPath(layoutDirectory);
        var entry = LayoutIndex.Find(layout, refName);
        var image = Read(layout, ReadDescriptor(layout, entry));
        var host = RegistryHost.For(destination.Registry, options.InsecureRegistries);
        var repository = destination.Repository;
        var sources = (mountFrom ?? []).Where(source => source != repository).Distinct().ToList();

        // Every tag is checked before any byte goes up: a bad one found after the blobs would leave work half done.
        var applied = new[] { destination.Tag }.Concat(tags).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var tag in applied)
        {
            destination.WithTag(tag);
        }

        var tally = new Tally();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = cancellation };
        await Parallel.ForEachAsync(image.Blobs, parallel, async (blob, token) => await PushBlobAsync(host, repository, blob, sources, tally, token));

        var (top, topContent) = image.Manifests[^1];
        foreach (var (child, content) in image.Manifests.SkipLast(1))
        {
            await PutManifestAsync(host, repository, child.Digest, child, content, cancellation);
        }

        foreach (var tag in applied)
        {
            await PutManifestAsync(host, repository, tag, top, topContent, cancellation);
            progress.Report($"tagged {destination.Registry}/{repository}:{tag} as {Descriptor.Short(top.Digest)}");
        }

        if (applied.Count == 0)
        {
            await PutManifestAsync(host, repository, top.Digest, top, topContent, cancellation);
            progress.Report($"pushed {destination.Registry}/{repository}@{top.Digest} (no tag)");
        }

        return new PushResult(top.Digest, tally.Uploaded, tally.Skipped, tally.Mounted, tally.Bytes, applied);
    }

    private static Descriptor ReadDescriptor(string where, JsonNode? node)
    {
        try
        {
            return Descriptor.From(node);
        }
        catch (Exception exception) when (exception is InvalidDataException or InvalidOperationException or FormatException)
        {
            throw Damaged(where, exception.Message);
        }
    }

    /// <summary>Reads the manifest (or index, with its children) and checks every blob it names is in the layout.</summary>
    private static LocalImage Read(string layout, Descriptor top)
    {
        var image = new LocalImage([], []);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(Descriptor descriptor, int depth)
        {
            var path = LoadedBase.BlobPath(layout, descriptor.Digest);
            if (depth > 4)
            {
                throw Damaged(layout, $"indexes nest deeper than 4 levels at {descriptor.Digest}");
            }

            if (!File.Exists(path))
            {
                throw Damaged(layout, $"the manifest {descriptor.Digest} is not in its blobs");
            }

            var content = File.ReadAllBytes(path);
            if (Descriptor.DigestOf(content) != descriptor.Digest)
            {
                throw Damaged(path, $"the manifest {descriptor.Digest} does not hash to its name");
            }

            JsonObject manifest;
            try
            {
                manifest = JsonNode.Parse(content) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException exception)
            {
                throw Damaged(path, $"the manifest {descriptor.Digest} is not JSON: {exception.Message}");
            }

            var mediaType = descriptor.MediaType.Length > 0
                ? descriptor.MediaType
                : (string?)manifest["mediaType"] ?? (manifest["manifests"] is null ? MediaTypes.ImageManifest : MediaTypes.ImageIndex);
            if (ManifestTypes.IsIndex(mediaType))
            {
                foreach (var child in manifest["manifests"] as JsonArray ?? [])
                {
                    Visit(ReadDescriptor(path, child), depth + 1);
                }
            }
            else
            {
                var parts = (manifest["layers"] as JsonArray ?? []).Select(layer => (ReadDescriptor(path, layer), "layer"))
                    .Append((ReadDescriptor(path, manifest["config"]), "config"));
                foreach (var (blob, role) in parts)
                {
                    var blobPath = LoadedBase.BlobPath(layout, blob.Digest);
                    if (!File.Exists(blobPath) || new FileInfo(blobPath).Length != blob.Size)
                    {
                        throw Damaged(layout, $"the {role} {blob.Digest} ({blob.Size} bytes) is missing from its blobs or has another size");
                    }

                    if (seen.Add(blob.Digest))
                    {
                        image.Blobs.Add(new LocalBlob(blob, blobPath, role));
                    }
                }
            }

            image.Manifests.Add((descriptor with { MediaType = mediaType, Size = content.Length }, content));
        }

        Visit(top, 0);
        return image;
    }

    private async Task PushBlobAsync(RegistryHost host, string repository, LocalBlob blob, IReadOnlyList<string> mountFrom, Tally tally, CancellationToken cancellation)
    {
        var digest = blob.Descriptor.Digest;
        var name = $"{blob.Role} {Descriptor.Short(digest)}";
        var scopes = new[] { RegistryScopes.PullPush(repository) };
        using (var head = await transport.SendAsync(host, new RegistryRequest(HttpMethod.Head, host.Blob(repository, digest), scopes), cancellation))
        {
            if (head.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref tally.Skipped);
                progress.Report($"{name} already present");
                return;
            }

            if (head.StatusCode != HttpStatusCode.NotFound)
            {
                throw await RegistryErrors.UnexpectedAsync(head, $"checking for {name} in {repository}", cancellation);
            }
        }

        Uri? session = null;
        foreach (var source in mountFrom)
        {
            var mount = new RegistryRequest(HttpMethod.Post, host.Uploads(repository, $"?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(source)}"), [.. scopes, RegistryScopes.Pull(source)]);
            using var response = await transport.SendAsync(host, mount, cancellation);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                await CheckContentDigestAsync(response, digest, $"the registry mounted {name} from {source}", cancellation);
                Interlocked.Increment(ref tally.Mounted);
                progress.Report($"{name} mounted from {source}");
                return;
            }

            // 202: the registry could not mount it and opened an upload instead, which the bytes now go to.
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                session = await LocationAsync(response, cancellation);
                break;
            }
        }

        progress.Report($"pushing {name} {RegistryProgress.Size(blob.Descriptor.Size)}");
        if (await UploadWholeAsync(host, repository, blob, session, cancellation) is { } refusal)
        {
            progress.Report($"{host.Name} refused {name} in one request ({(int)refusal} {refusal}); sending it in chunks of {RegistryProgress.Size(options.ChunkSize)}");
            await UploadInChunksAsync(host, repository, blob, cancellation);
        }

        Interlocked.Increment(ref tally.Uploaded);
        Interlocked.Add(ref tally.Bytes, blob.Descriptor.Size);
    }

    /// <summary>POST then one PUT with the whole blob; null when that worked, else the status the registry refused it with.</summary>
    private async Task<HttpStatusCode?> UploadWholeAsync(RegistryHost host, string repository, LocalBlob blob, Uri? session, CancellationToken cancellation)
    {
        session ??= await StartUploadAsync(host, repository, cancellation);
        var put = new RegistryRequest(HttpMethod.Put, WithQuery(session, "digest", blob.Descriptor.Digest), [RegistryScopes.PullPush(repository)])
        {
            Content = () => new FileRangeContent(blob.Path, 0, blob.Descriptor.Size),
        };
        using var response = await transport.SendAsync(host, put, cancellation);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            await CheckContentDigestAsync(response, blob.Descriptor.Digest, $"the registry stored {blob.Role} {blob.Descriptor.Digest}", cancellation);
            return null;
        }

        await RefuseIfDigestInvalidAsync(response, blob, cancellation);
        return response.StatusCode;
    }

    /// <summary>POST, then PATCHes of <see cref="RegistryOptions.ChunkSize"/> with Content-Range, then a PUT with the digest and no body.</summary>
    private async Task UploadInChunksAsync(RegistryHost host, string repository, LocalBlob blob, CancellationToken cancellation)
    {
        var scopes = new[] { RegistryScopes.PullPush(repository) };
        var session = await StartUploadAsync(host, repository, cancellation);
        var chunkSize = Math.Max(1, options.ChunkSize);
        for (long offset = 0; offset < blob.Descriptor.Size; offset += chunkSize)
        {
            var start = offset;
            var length = Math.Min(chunkSize, blob.Descriptor.Size - offset);
            var patch = new RegistryRequest(HttpMethod.Patch, session, scopes)
            {
                Content = () =>
                {
                    var content = new FileRangeContent(blob.Path, start, length);
                    content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                    return content;
                },
                Retry = false,
            };
            using var response = await transport.SendExpectingAsync(host, patch, $"uploading a chunk of {blob.Role} {blob.Descriptor.Digest}", cancellation, HttpStatusCode.Accepted);
            session = await LocationAsync(response, cancellation);
        }

        var put = new RegistryRequest(HttpMethod.Put, WithQuery(session, "digest", blob.Descriptor.Digest), scopes)
        {
            Content = () => new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        };
        using var done = await transport.SendAsync(host, put, cancellation);
        if (done.StatusCode != HttpStatusCode.Created)
        {
            await RefuseIfDigestInvalidAsync(done, blob, cancellation);
            throw await RegistryErrors.UnexpectedAsync(done, $"finishing the chunked upload of {blob.Role} {blob.Descriptor.Digest}", cancellation);
        }

        await CheckContentDigestAsync(done, blob.Descriptor.Digest, $"the registry stored {blob.Role} {blob.Descriptor.Digest}", cancellation);
    }

    private async Task<Uri> StartUploadAsync(RegistryHost host, string repository, CancellationToken cancellation)
    {
        var post = new RegistryRequest(HttpMethod.Post, host.Uploads(repository), [RegistryScopes.PullPush(repository)]);
        using var response = await transport.SendExpectingAsync(host, post, $"starting an upload to {repository}", cancellation, HttpStatusCode.Accepted);
        return await LocationAsync(response, cancellation);
    }

    private async Task PutManifestAsync(RegistryHost host, string repository, string reference, Descriptor manifest, byte[] content, CancellationToken cancellation)
    {
        var put = new RegistryRequest(HttpMethod.Put, host.Manifest(repository, reference), [RegistryScopes.PullPush(repository)])
        {
            Content = () => new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue(manifest.MediaType) } },
        };
        using var response = await transport.SendExpectingAsync(host, put, $"putting the manifest {manifest.Digest} as {repository}:{reference}", cancellation, HttpStatusCode.Created, HttpStatusCode.OK);
        await CheckContentDigestAsync(response, manifest.Digest, $"the registry stored the manifest of {repository}:{reference}", cancellation);
    }

    /// <summary>The registry's own digest of what it stored, when it says it, must be the one pushed.</summary>
    private static Task CheckContentDigestAsync(HttpResponseMessage response, string expected, string what, CancellationToken cancellation)
    {
        if (response.Headers.TryGetValues(ContentDigestHeader, out var values) && values.FirstOrDefault() is { Length: > 0 } actual && actual != expected)
        {
            throw RegistryErrors.DigestMismatch(response.RequestMessage!.RequestUri!, $"{what} as {actual}, not {expected}: the bytes it holds are not the ones pushed");
        }

        return Task.CompletedTask;
    }

    /// <summary>A registry that hashed the bytes to another digest saw other bytes: no other way of uploading helps.</summary>
    private static async Task RefuseIfDigestInvalidAsync(HttpResponseMessage response, LocalBlob blob, CancellationToken cancellation)
    {
        if (response.StatusCode == HttpStatusCode.BadRequest && (await RegistryErrors.ErrorDetailAsync(response, cancellation)).Contains("DIGEST_INVALID", StringComparison.Ordinal))
        {
            throw RegistryErrors.DigestMismatch(response.RequestMessage!.RequestUri!, $"the registry found that the bytes sent for {blob.Role} {blob.Descriptor.Digest} have another digest: {blob.Path} is damaged, or something on the way changed it");
        }
    }

    /// <summary>The upload session's next URL; registries give it absolute or relative to the request.</summary>
    private static async Task<Uri> LocationAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        var request = response.RequestMessage!.RequestUri!;
        return response.Headers.Location switch
        {
            { IsAbsoluteUri: true } absolute => absolute,
            { } relative => new Uri(request, relative),
            null => throw await RegistryErrors.UnexpectedAsync(response, "the registry's upload answer has no Location header", cancellation),
        };
    }

    private static Uri WithQuery(Uri uri, string name, string value)
    {
        var builder = new UriBuilder(uri);
        var existing = builder.Query.TrimStart('?');
        builder.Query = (existing.Length > 0 ? existing + "&" : "") + name + "=" + Uri.EscapeDataString(value);
        return builder.Uri;
    }

    private static MlopsException Damaged(string path, string message) =>
        new(ErrorCodes.ImageNotPackaged, new SourceLocation(path), $"the image layout is incomplete or damaged: {message}", "Package the image again");
}
