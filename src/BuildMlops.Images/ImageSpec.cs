namespace BuildMlops.Images;

/// <summary>What a model image is made of. Layers, in order: the base image's, the app layer
/// (<see cref="AppFiles"/>, the serving host's publish output under /app) and the model layer
/// (<see cref="ModelFiles"/>, the model directory under /app/model), so that a model-only change
/// changes only the model layer, the config and the manifest.</summary>
public sealed record ImageSpec
{
    /// <summary>Where the model directory is in the image; MLOPS_MODEL_DIR points here.</summary>
    public const string ModelDirectory = "/app/model";

    /// <summary>Where the serving host is in the image; also the working directory.</summary>
    public const string AppDirectory = "/app";

    /// <summary>
    /// The default entry point: the framework-dependent host run by the base image's <c>dotnet</c>.
    /// It works with a portable publish (no runtime identifier) made on any OS, whereas the apphost
    /// <c>/app/mlops-serve</c> exists only for a linux publish and needs the runtime where it looks.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultEntrypoint = ["dotnet", "/app/mlops-serve.dll"];

    /// <summary>The index.json reference name (org.opencontainers.image.ref.name), e.g. "churn:1.0.0" or "1.0.0".</summary>
    public required string Tag { get; init; }

    /// <summary>The app layer: files under /app, none under /app/model.</summary>
    public required IReadOnlyList<LayerEntry> AppFiles { get; init; }

    /// <summary>The model layer: files under /app/model, model.zip among them.</summary>
    public required IReadOnlyList<LayerEntry> ModelFiles { get; init; }

    /// <summary>The base image as an OCI layout folder, or null for none (then amd64/linux and no runtime).</summary>
    public BaseImage? Base { get; init; }

    /// <summary>The time of every file, history entry and "created" field, when SOURCE_DATE_EPOCH is
    /// not set (e.g. the git commit time). Never defaulted to now: without either, the build fails.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>org.opencontainers.image.source (annotation and label), e.g. the repository URL.</summary>
    public string? Source { get; init; }

    /// <summary>org.opencontainers.image.revision, e.g. the git commit.</summary>
    public string? Revision { get; init; }

    /// <summary>org.opencontainers.image.version.</summary>
    public string? Version { get; init; }

    /// <summary>Headline metrics, as labels "buildmlops.metric.NAME".</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>More labels; they override the base's and are overridden by the ones set here.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>More environment variables, set after the base's and the image's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Entrypoint { get; init; } = DefaultEntrypoint;

    /// <summary>A non-root user; 1654 is the .NET images' "app" user.</summary>
    public string User { get; init; } = "1654";

    /// <summary>The HTTP port when the base image sets no ASPNETCORE_HTTP_PORTS or ASPNETCORE_URLS.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The platform without a base image, and the one picked from a multi-platform base.</summary>
    public string Architecture { get; init; } = "amd64";

    public string OperatingSystem { get; init; } = "linux";
}

/// <summary>A base image already on disk as an OCI image layout folder (e.g. from <c>skopeo copy docker://… oci:DIR:TAG</c>).</summary>
/// <param name="LayoutDirectory">The folder holding oci-layout and index.json.</param>
/// <param name="Reference">The org.opencontainers.image.ref.name to take; null when the index has one image.</param>
/// <param name="Name">What the base is called (e.g. "mcr.microsoft.com/dotnet/aspnet:10.0"), for the
/// org.opencontainers.image.base.name annotation; null to leave it out.</param>
public sealed record BaseImage(string LayoutDirectory, string? Reference = null, string? Name = null);

/// <summary>Which part of the image a layer comes from.</summary>
public enum LayerRole
{
    Base,
    App,
    Model,
}

/// <summary>A layer as the manifest (digest, size, media type) and the config (diff_id) record it.</summary>
public sealed record ImageLayer(LayerRole Role, string MediaType, string Digest, long Size, string DiffId);

/// <summary>What <see cref="ImageBuilder.Build(ImageSpec, string, string?)"/> wrote.</summary>
public sealed record ImageResult(
    string ManifestDigest,
    long ManifestSize,
    string ConfigDigest,
    IReadOnlyList<ImageLayer> Layers,
    DateTimeOffset Created,
    string LayoutDirectory,
    string? TarPath);
