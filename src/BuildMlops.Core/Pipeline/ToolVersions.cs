using System.Reflection;

namespace BuildMlops.Pipeline;

/// <summary>
/// The versions a step's result depends on beyond its inputs: BuildMlops itself, ML.NET and the .NET
/// runtime. A change to any of them reruns the steps, since any of them can change a model's bytes.
/// </summary>
public static class ToolVersions
{
    public static string BuildMlops { get; } = StripCommit(
        typeof(ToolVersions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    public static string MlNet { get; } =
        typeof(ToolVersions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "BuildMlops.MlNetVersion")?.Value ?? "unknown";

    public static string Runtime { get; } = Environment.Version.ToString();

    /// <summary>
    /// SourceLink appends "+commit" to the informational version; every commit would otherwise change
    /// every fingerprint and every lock file.
    /// </summary>
    private static string StripCommit(string version)
    {
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
