using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Package;

/// <summary>
/// The app layer: the serving host's portable publish output under /app, trimmed to what runs on the
/// image's platform. Native assets of other platforms (runtimes/win-x64, osx-arm64, …), apphosts and
/// XML docs are left out: they are dead weight in a linux image and, being OS-specific, would make
/// the same commit give different images on different build machines.
/// </summary>
public static class ServingHostFiles
{
    public const string EntryAssembly = "mlops-serve.dll";

    public static IReadOnlyList<LayerEntry> Collect(string servingHostDirectory, string architecture, SourceLocation location)
    {
        if (!File.Exists(Path.Combine(servingHostDirectory, EntryAssembly)))
        {
            throw new MlopsException(
                ErrorCodes.BadImageSetting,
                location,
                $"the serving host is missing: no {EntryAssembly} in {servingHostDirectory}",
                "Point MlopsServingHostPath at a publish output of BuildMlops.Serving.Host, or leave it unset to use the SDK's own");
        }

        var keptRuntimes = new[] { "linux", "unix", "linux-" + RuntimeArchitecture(architecture) };
        return LayerEntry.FromDirectory(servingHostDirectory, ImageSpec.AppDirectory)
            .Where(entry => Keep(entry.Path[(ImageSpec.AppDirectory.Length + 1)..], keptRuntimes))
            .ToList();
    }

    /// <summary>The .NET runtime identifier's architecture for an OCI one: amd64 is x64.</summary>
    public static string RuntimeArchitecture(string ociArchitecture) => ociArchitecture switch
    {
        "amd64" => "x64",
        "386" => "x86",
        _ => ociArchitecture,
    };

    private static bool Keep(string relative, string[] keptRuntimes)
    {
        if (relative is "mlops-serve" or "mlops-serve.exe" || relative.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (relative.StartsWith("runtimes/", StringComparison.Ordinal))
        {
            var runtime = relative.Split('/')[1];
            return keptRuntimes.Contains(runtime, StringComparer.Ordinal);
        }

        return true;
    }
}
