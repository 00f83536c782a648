using BuildMlops.Images.Package;
using BuildMlops.Pipeline;

namespace BuildMlops.Images.Docker;

/// <summary>
/// What MlopsDockerLoad and MlopsSmokeTest do with a packaged model image (bin/mlops/image/): load it into the Docker
/// engine the environment names, under its name and tag, and for the smoke test run it and call /predict with a
/// sample record. The CLI and the MSBuild targets (through the worker) both come here.
/// </summary>
public static class PackagedImageInDocker
{
    /// <summary>How long the smoke test waits for the container to answer /health.</summary>
    public static readonly TimeSpan SmokeTestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Loads the packaged image; returns what --json reports: the image, the engine's id and the digest.</summary>
    public static async Task<LoadedImage> LoadAsync(ModelPackager packager, IMlopsLog log, Func<string, string?> environment, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(environment, ct).ConfigureAwait(false);
        return await LoadAsync(engine, packager, log, ct).ConfigureAwait(false);
    }

    /// <summary>Loads the packaged image, runs it and calls /predict with <paramref name="sampleRecord"/> (a JSON record).</summary>
    public static async Task<SmokeTestResult> SmokeTestAsync(ModelPackager packager, string sampleRecord, IMlopsLog log, Func<string, string?> environment, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(environment, ct).ConfigureAwait(false);
        var loaded = await LoadAsync(engine, packager, log, ct).ConfigureAwait(false);
        log.Important($"MlopsSmokeTest: running {loaded.Image}, then /health and /predict");
        var result = await engine.SmokeTestAsync(loaded.Image, sampleRecord, SmokeTestTimeout, ct).ConfigureAwait(false);
        log.Important($"MlopsSmokeTest: {loaded.Image} ready in {result.StartupTime.TotalSeconds:0.0} s; /predict answered {result.PredictStatus}: {result.PredictBody}");
        return result;
    }

    private static async Task<LoadedImage> LoadAsync(DockerEngine engine, ModelPackager packager, IMlopsLog log, CancellationToken ct)
    {
        var summary = ImageSummary.TryRead(packager.Settings.SummaryPath);
        var tag = $"{packager.Settings.Name}:{packager.Settings.Tag}";
        log.Important($"MlopsDockerLoad: loading {tag} into {engine.Endpoint}");
        var id = await engine.LoadAsync(packager.Settings.TarPath, tag, ct).ConfigureAwait(false);
        log.Important($"MlopsDockerLoad: loaded {tag} ({id})");
        return new LoadedImage(tag, id, summary?.Digest);
    }
}

/// <summary>An image loaded into a Docker engine: its name:tag, the engine's image id and the manifest digest it was packaged with.</summary>
public sealed record LoadedImage(string Image, string Id, string? Digest);
