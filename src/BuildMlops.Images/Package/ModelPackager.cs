using System.Globalization;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Images.Registry;
using BuildMlops.IO;
using BuildMlops.Metrics;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Images.Package;

/// <summary>
/// The package and push steps of a model project: turns bin/mlops/ into an OCI image under
/// bin/mlops/image/ (skipped when <see cref="PackageInputs.Fingerprint"/> is unchanged) and pushes it
/// to MlopsImageRegistry. The MSBuild tasks and the mlops CLI are thin shells over this.
/// </summary>
public sealed class ModelPackager
{
    private readonly IMlopsLog _log;
    private readonly Func<string, string?> _environment;

    public ModelPackager(ModelSpec model, ImageSettings settings, IMlopsLog log, Func<string, string?> environment)
    {
        Model = model;
        Settings = settings;
        _log = log;
        _environment = environment;
    }

    public ModelSpec Model { get; }
    public ImageSettings Settings { get; }

    private SourceLocation ProjectLocation => new(Model.ProjectFile);

    /// <summary>
    /// The up-to-date check, cheap enough for the MSBuild node: true, with the summary, when the image
    /// on disk was built from exactly these inputs. Reads no registry; false when one must be asked.
    /// </summary>
    public bool IsUpToDate(out ImageSummary? summary)
    {
        summary = ImageSummary.TryRead(Settings.SummaryPath);
        if (summary is null || !OutputsExist(summary))
        {
            return false;
        }

        var baseDigest = BaseImageResolver.KnownDigest(Settings, summary, ProjectLocation);
        if (baseDigest is null)
        {
            return false;
        }

        var inputs = PackageInputs.Gather(Model, Settings, _environment);
        var hashes = FileHashCache.Load(inputs.HashCachePath);
        var fingerprint = inputs.Fingerprint(baseDigest, hashes);
        hashes.Save();
        return fingerprint == summary.Fingerprint;
    }

    /// <summary>Builds the image unless it is up to date; says which in the log.</summary>
    public async Task<ImageSummary> PackageAsync(CancellationToken cancellation)
    {
        var previous = ImageSummary.TryRead(Settings.SummaryPath);
        var inputs = PackageInputs.Gather(Model, Settings, _environment);
        var repository = MlopsRepository.Discover(Model.ProjectDirectory);
        var imageCache = Path.Combine(repository.CacheDirectory, "images");

        using var client = CreateClient();
        var (baseImage, baseDigest) = await BaseImageResolver.ResolveAsync(Settings, previous, imageCache, client, _log, ProjectLocation, cancellation).ConfigureAwait(false);
        var hashes = FileHashCache.Load(inputs.HashCachePath);
        var fingerprint = inputs.Fingerprint(baseDigest, hashes);
        hashes.Save();
        if (previous is not null && previous.Fingerprint == fingerprint && OutputsExist(previous))
        {
            _log.Important($"MlopsPackage: up to date ({Settings.Name}:{Settings.Tag} {previous.Digest})");
            return previous;
        }

        _log.Important(previous is null ? $"MlopsPackage: building image {Settings.Name}:{Settings.Tag}" : $"MlopsPackage: building image {Settings.Name}:{Settings.Tag} (its inputs changed)");
        var metrics = File.Exists(Model.PathOf(StepOutputs.Metrics)) ? MetricsFile.Read(Model.PathOf(StepOutputs.Metrics)) : new Dictionary<string, double>();
        ImageResult result;
        try
        {
            // The image cache is shared by every project of the repository: hold it while reading the base.
            Directory.CreateDirectory(imageCache);
            using var shared = Settings.LocalBase is null ? DirectoryLock.Shared(imageCache) : null;
            result = ImageBuilder.Build(inputs.ToImageSpec(baseImage, metrics), Settings.LayoutDirectory, Settings.TarPath, _environment);
        }
        catch (InvalidDataException error)
        {
            throw new MlopsException(ErrorCodes.BaseImageUnavailable, ProjectLocation, $"the base image {Settings.BaseImage} cannot be used: {error.Message}", "Check MlopsBaseImage and MlopsImagePlatform; a damaged cached base is pulled again after deleting the cache's images/ folder");
        }

        var summary = new ImageSummary
        {
            Fingerprint = fingerprint,
            Name = Settings.Name,
            Tag = Settings.Tag,
            Tags = [.. inputs.Tags],
            Digest = result.ManifestDigest,
            ConfigDigest = result.ConfigDigest,
            Created = result.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Revision = inputs.Revision,
            Source = inputs.Source,
            Base = new BaseSummary { Reference = Settings.BaseImage, Digest = baseDigest },
            ModelSha256 = hashes.Get(Path.GetFullPath(Model.PathOf(StepOutputs.Model))).Hash,
            Layers = [.. result.Layers.Select(layer => new LayerSummary { Role = layer.Role.ToString().ToLowerInvariant(), Digest = layer.Digest, Size = layer.Size })],
            Layout = Path.GetRelativePath(Settings.ImageDirectory, Settings.LayoutDirectory).Replace('\\', '/'),
            Tar = Path.GetRelativePath(Settings.ImageDirectory, Settings.TarPath).Replace('\\', '/'),
        };
        summary.Write(Settings.SummaryPath);
        var model = result.Layers.Last();
        _log.Important($"MlopsPackage: {Settings.Name}:{Settings.Tag} is {result.ManifestDigest} (model layer {model.Digest[..19]}…, {Megabytes(result.Layers.Sum(layer => layer.Size))} in {result.Layers.Count} layers)");
        return summary;
    }

    /// <summary>Pushes the packaged image to MlopsImageRegistry/MlopsImageRepository with every tag.</summary>
    public async Task<PushSummary> PushAsync(CancellationToken cancellation)
    {
        if (Settings.Registry is null)
        {
            throw new MlopsException(ErrorCodes.BadImageSetting, ProjectFileLocator.Property(Model.ProjectFile, ImageSettingNames.Registry), "there is nowhere to push: MlopsImageRegistry is not set", "Set MlopsImageRegistry to your registry and namespace, e.g. ghcr.io/my-org (or pass -p:MlopsImageRegistry=…)");
        }

        var summary = ImageSummary.TryRead(Settings.SummaryPath);
        if (summary is null || !OutputsExist(summary))
        {
            throw new MlopsException(ErrorCodes.ImageNotPackaged, ProjectLocation, $"there is no image to push in {Settings.ImageDirectory}", "Package it first: 'dotnet build -t:MlopsPush' runs MlopsPackage before pushing");
        }

        var destination = ImageReference.Parse($"{Settings.Registry}/{Settings.Repository}:{Settings.Tag}");
        var mountFrom = new List<string>();
        if (Settings.LocalBase is null && ImageReference.Parse(Settings.BaseImage) is { } baseReference && baseReference.Registry == destination.Registry)
        {
            mountFrom.Add(baseReference.Repository);
        }

        _log.Important($"MlopsPush: pushing {Settings.Name}:{Settings.Tag} to {destination.Registry}/{destination.Repository} as {string.Join(", ", summary.Tags)}");
        using var client = CreateClient();
        var result = await client.PushAsync(Settings.LayoutDirectory, Settings.Tag, destination, summary.Tags, mountFrom, cancellation).ConfigureAwait(false);
        if (result.ManifestDigest != summary.Digest)
        {
            throw new MlopsException(ErrorCodes.RegistryDigestMismatch, new SourceLocation(destination.Registry), $"the registry stored the manifest as {result.ManifestDigest}, not {summary.Digest}", "The registry rewrote the manifest; use a registry that stores OCI manifests as sent");
        }

        var push = new PushSummary
        {
            Reference = $"{destination.Registry}/{destination.Repository}@{result.ManifestDigest}",
            Digest = result.ManifestDigest,
            Tags = [.. result.Tags],
            BlobsUploaded = result.BlobsUploaded,
            BlobsSkipped = result.BlobsSkipped,
            BlobsMounted = result.BlobsMounted,
            BytesUploaded = result.BytesUploaded,
        };
        push.Write(Settings.PushSummaryPath);
        _log.Important($"MlopsPush: pushed {push.Reference} ({result.BlobsUploaded} blobs uploaded, {Megabytes(result.BytesUploaded)}; {result.BlobsSkipped} already there; {result.BlobsMounted} mounted)");
        return push;
    }

    private RegistryClient CreateClient() => new(new RegistryOptions
    {
        Credentials = new DockerCredentialProvider(_environment),
        InsecureRegistries = Settings.InsecureRegistries,
        Progress = _log.Message,
        Jobs = Settings.PushJobs,
    });

    private bool OutputsExist(ImageSummary summary) =>
        File.Exists(Path.Combine(Settings.LayoutDirectory, "index.json"))
        && File.Exists(Path.Combine(Settings.LayoutDirectory, "blobs", "sha256", summary.Digest.Replace("sha256:", "", StringComparison.Ordinal)))
        && File.Exists(Settings.TarPath);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
