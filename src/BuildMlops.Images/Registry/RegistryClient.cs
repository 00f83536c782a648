namespace BuildMlops.Images.Registry;

/// <summary>
/// Pulls images from and pushes them to registries that speak the OCI distribution API (Docker Hub, GHCR,
/// ECR, ACR, GAR, Harbor, the CNCF distribution registry…), between them and OCI image layout folders, with
/// no Docker daemon. Errors are <see cref="BuildMlops.Diagnostics.MlopsException"/>s: BM7002 image not found,
/// BM7003 access denied, BM7004 unreachable, BM7005 digest mismatch, BM7006 protocol error, BM7008 nothing
/// packaged to push. No credential ever appears in an error or a progress line.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>Large layers go up in one request; the limit is the network's, not a client's stopwatch.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(30);

    private readonly HttpClient http;
    private readonly ImagePuller puller;
    private readonly ImagePusher pusher;

    public RegistryClient(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        http = options.Handler is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            : new HttpClient(options.Handler, disposeHandler: false);
        http.Timeout = RequestTimeout;
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"BuildMlops/{typeof(RegistryClient).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        var transport = new RegistryTransport(http, options.Credentials);
        var progress = new RegistryProgress(options.Progress);
        puller = new ImagePuller(transport, options, progress);
        pusher = new ImagePusher(transport, options, progress);
    }

    /// <summary>
    /// The digest of the manifest <paramref name="reference"/> names (a HEAD request accepting OCI and Docker
    /// manifests and indexes); for a multi-platform image, the index's digest.
    /// </summary>
    public Task<string> ResolveAsync(ImageReference reference, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return puller.ResolveAsync(reference, cancellation);
    }

    /// <summary>
    /// Pulls the <paramref name="os"/>/<paramref name="architecture"/> image that <paramref name="source"/> names into the
    /// OCI layout <paramref name="layoutDirectory"/> (created when missing; other images in it stay), where
    /// index.json then names it <paramref name="refName"/> (replacing an entry of that name). Blobs the layout
    /// has are not fetched; each fetched one is checked against its digest before it is kept (BM7005 if not).
    /// </summary>
    public Task<PulledImage> PullAsync(ImageReference source, string layoutDirectory, string refName, string architecture, string os, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(source);
        return puller.PullAsync(source, layoutDirectory, refName, architecture, os, cancellation);
    }

    /// <summary>
    /// Pushes the image that the layout's index.json names <paramref name="refName"/> (or its only image, when
    /// null) to <paramref name="destination"/>'s repository, then tags it with <paramref name="destination"/>'s tag
    /// and every one of <paramref name="tags"/> (untagged, by digest, when there are none). Blobs the repository has
    /// are skipped; others are mounted from <paramref name="mountFrom"/> repositories of the same registry when
    /// possible, else uploaded.
    /// </summary>
    public Task<PushResult> PushAsync(string layoutDirectory, string? refName, ImageReference destination, IReadOnlyList<string> tags, IReadOnlyList<string>? mountFrom, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tags);
        return pusher.PushAsync(layoutDirectory, refName, destination, tags, mountFrom, cancellation);
    }

    public void Dispose() => http.Dispose();
}
