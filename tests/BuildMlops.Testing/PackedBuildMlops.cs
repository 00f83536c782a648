namespace BuildMlops.Testing;

/// <summary>
/// BuildMlops as a team gets it from NuGet: the MSBuild SDK (BuildMlops.Sdk) and the mlops tool (BuildMlops.Tool)
/// packed from this source into a local feed, once per test run since packing takes a minute, and deleted when the
/// test process exits.
/// </summary>
public static class PackedBuildMlops
{
    /// <summary>The version both packages get (VersionPrefix in Directory.Build.props).</summary>
    public const string Version = "0.1.0";

    private static readonly Lazy<string> PackedFeed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding BuildMlops.Sdk.0.1.0.nupkg and BuildMlops.Tool.0.1.0.nupkg; packs on first use.</summary>
    public static string Feed => PackedFeed.Value;

    /// <summary>The global packages folder of this machine (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>
    /// A nuget.config for a repository that uses the packed packages: the feed as a source beside the machine's own,
    /// and this machine's global packages folder as a read-only fallback, so that ML.NET and the rest are not fetched
    /// again. Use it with NUGET_PACKAGES pointing at a folder of the test's own (see <see cref="IsolatedPackages"/>):
    /// then the packed 0.1.0 never lands in, nor comes from, the machine's cache, where an older 0.1.0 may be.
    /// </summary>
    public static string NuGetConfig() => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="buildmlops-packed" value="{Feed}" />
          </packageSources>
          <fallbackPackageFolders>
            <add key="machine" value="{GlobalPackagesFolder}" />
          </fallbackPackageFolders>
        </configuration>
        """;

    /// <summary>The environment that gives a test's restores a packages folder of its own, <paramref name="folder"/>.</summary>
    public static Dictionary<string, string?> IsolatedPackages(string folder) => new() { ["NUGET_PACKAGES"] = folder };

    private static string Pack()
    {
        var feed = Path.Combine(Path.GetTempPath(), "buildmlops-tests", $"packed-feed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(feed);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(feed, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        };

        var cli = Path.Combine(RepoLayout.Root, "src", "BuildMlops.Cli", "BuildMlops.Cli.csproj");
        foreach (var project in new[] { RepoLayout.SdkProject, cli })
        {
            var pack = ProcessRunner.Dotnet(RepoLayout.Root, ["pack", project, "-o", feed, "-nodeReuse:false", "-tl:off"], timeout: TimeSpan.FromMinutes(10));
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet pack {Path.GetFileName(project)} failed: {pack}");
            }
        }

        foreach (var package in new[] { "BuildMlops.Sdk", "BuildMlops.Tool" })
        {
            if (!File.Exists(Path.Combine(feed, $"{package}.{Version}.nupkg")))
            {
                throw new InvalidOperationException($"packing left no {package}.{Version}.nupkg in {feed}");
            }
        }

        return feed;
    }
}
