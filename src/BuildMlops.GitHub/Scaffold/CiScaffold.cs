using System.Reflection;
using System.Text;
using BuildMlops.Diagnostics;
using BuildMlops.IO;
using BuildMlops.Pipeline;

namespace BuildMlops.GitHub.Scaffold;

/// <summary>What <see cref="CiScaffold.Write"/> did with one file.</summary>
public enum ScaffoldFileState
{
    /// <summary>The file did not exist: written.</summary>
    Created,

    /// <summary>The file already had these bytes: left alone.</summary>
    Unchanged,

    /// <summary>The file differed and <c>force</c> was given: replaced.</summary>
    Replaced,
}

/// <summary>One file of the scaffold: its path relative to the repository root, and what happened to it.</summary>
public sealed record ScaffoldFile(string Path, ScaffoldFileState State);

/// <summary>
/// The CI of a repository of models, as BuildMlops runs its own: the Cake build (<c>build.cake</c>, <c>build/</c>,
/// <c>build.sh</c>, <c>build.ps1</c>, <c>cake.config</c>) and the workflows (<c>.github/workflows/pr.yml</c> and
/// <c>release.yml</c>, from <c>pipelines/github/</c>), carried in this assembly byte for byte as they are in the
/// BuildMlops repository at this version, and a tool manifest pinning Cake and the mlops tool. cake.config and the
/// manifest are the team's to edit: they are written only when missing. What <c>mlops ci init</c> writes; docs/ci-guide.md is the walk-through.
/// </summary>
public static class CiScaffold
{
    /// <summary>The Cake.Tool version the Cake build is written and tested for (this repository's tool manifest).</summary>
    public const string CakeToolVersion = "7.0.0";

    /// <summary>Where the tool manifest goes, relative to the repository root.</summary>
    public const string ToolManifestPath = ".config/dotnet-tools.json";

    private const string ResourcePrefix = "scaffold/";

    /// <summary>
    /// The repository's own settings, written only where missing and never compared: a team edits cake.config's
    /// [BuildMlops] section (registry, release promotion) and adds tools to its manifest.
    /// </summary>
    private static readonly HashSet<string> TeamOwned = new(StringComparer.Ordinal) { "cake.config", ToolManifestPath };

    /// <summary>The files, by path relative to the repository root ('/'-separated), in path order; without the tool manifest.</summary>
    public static IReadOnlyList<(string Path, byte[] Content)> Files { get; } = Load();

    /// <summary>
    /// Writes the scaffold into <paramref name="root"/>: each file that is missing, and, with <paramref name="force"/>,
    /// each that differs. Without it, a file that differs is BM9106 and nothing is written at all, so a run never
    /// leaves half a scaffold. Every file goes through a temporary file and a rename; build.sh is made executable.
    /// cake.config and the tool manifest are written only when missing (<paramref name="toolVersion"/> pins the mlops tool).
    /// </summary>
    public static IReadOnlyList<ScaffoldFile> Write(string root, bool force, string toolVersion, IMlopsLog log)
    {
        var files = Files.Append((ToolManifestPath, ToolManifest(toolVersion))).ToList();
        var plan = new List<(string Path, byte[] Content, ScaffoldFileState State)>();
        foreach (var (path, content) in files)
        {
            var target = Path.Combine(root, path);
            if (!File.Exists(target))
            {
                plan.Add((path, content, ScaffoldFileState.Created));
            }
            else if (TeamOwned.Contains(path) || File.ReadAllBytes(target).AsSpan().SequenceEqual(content))
            {
                // A team-owned file is the team's: what the tool manifest must hold is said below, not merged into it.
                plan.Add((path, content, ScaffoldFileState.Unchanged));
            }
            else if (force)
            {
                plan.Add((path, content, ScaffoldFileState.Replaced));
            }
            else
            {
                throw new MlopsException(
                    ErrorCodes.ScaffoldFileExists,
                    new SourceLocation(target),
                    $"{path} exists and differs from BuildMlops's; nothing was written",
                    "Compare it with the BuildMlops repository's copy and keep your changes elsewhere, or run 'mlops ci init --force' to replace every differing file");
            }
        }

        foreach (var (path, content, state) in plan.Where(entry => entry.State != ScaffoldFileState.Unchanged))
        {
            var target = Path.Combine(root, path);
            AtomicFile.WriteAllBytes(target, content);
            if (path == "build.sh" && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(target) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            log.Message($"{(state == ScaffoldFileState.Created ? "created" : "replaced")} {path}");
        }

        if (plan.Single(entry => entry.Path == ToolManifestPath).State == ScaffoldFileState.Unchanged
            && !ManifestHasCake(File.ReadAllText(Path.Combine(root, ToolManifestPath))))
        {
            log.Important($"{ToolManifestPath} has no cake.tool, which build.sh runs: add it with 'dotnet tool install Cake.Tool --version {CakeToolVersion}'");
        }

        return plan.Select(entry => new ScaffoldFile(entry.Path, entry.State)).ToList();
    }

    /// <summary>A tool manifest with Cake.Tool and BuildMlops.Tool at <paramref name="toolVersion"/>, as <c>dotnet tool install</c> writes one.</summary>
    public static byte[] ToolManifest(string toolVersion) => Encoding.UTF8.GetBytes(DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", 1);
        writer.WriteBoolean("isRoot", true);
        writer.WriteStartObject("tools");
        foreach (var (id, version, command) in new[] { ("cake.tool", CakeToolVersion, "dotnet-cake"), ("buildmlops.tool", toolVersion, "mlops") })
        {
            writer.WriteStartObject(id);
            writer.WriteString("version", version);
            writer.WriteStartArray("commands");
            writer.WriteStringValue(command);
            writer.WriteEndArray();
            writer.WriteBoolean("rollForward", false);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }));

    private static bool ManifestHasCake(string manifest) => manifest.Contains("\"cake.tool\"", StringComparison.OrdinalIgnoreCase);

    private static List<(string, byte[])> Load()
    {
        var assembly = typeof(CiScaffold).Assembly;
        var files = new List<(string, byte[])>();
        foreach (var name in assembly.GetManifestResourceNames().Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            files.Add((name[ResourcePrefix.Length..], buffer.ToArray()));
        }

        return files.Count > 0 ? files : throw new InvalidOperationException($"{assembly.GetName().Name} carries no scaffold files: it was built without them");
    }
}
