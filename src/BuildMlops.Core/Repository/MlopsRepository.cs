using BuildMlops.Diagnostics;

namespace BuildMlops.Repository;

/// <summary>
/// The repository BuildMlops works in: the nearest folder upwards that has <c>.mlops/</c> or is a git
/// work tree's root. It holds the committed config (<c>.mlops/config.json</c>) and, by default, the
/// content cache (<c>.mlops/cache/</c>, ignored by git).
/// </summary>
public sealed class MlopsRepository
{
    private MlopsRepository(string root, MlopsConfig config)
    {
        Root = root;
        Config = config;
    }

    public string Root { get; }

    public MlopsConfig Config { get; }

    public string MlopsDirectory => Path.Combine(Root, ".mlops");

    public string ConfigPath => Path.Combine(MlopsDirectory, "config.json");

    public string CacheDirectory => Path.GetFullPath(Path.Combine(Root, Config.Cache));

    /// <summary>Finds the repository that contains <paramref name="path"/> (a file or folder).</summary>
    public static MlopsRepository Discover(string path)
    {
        var start = Path.GetFullPath(path);
        var directory = new DirectoryInfo(Directory.Exists(start) ? start : Path.GetDirectoryName(start)!);
        for (var current = directory; current is not null; current = current.Parent)
        {
            if (Directory.Exists(Path.Combine(current.FullName, ".mlops")) || Path.Exists(Path.Combine(current.FullName, ".git")))
            {
                return Open(current.FullName);
            }
        }

        return Open(directory.FullName);
    }

    public static MlopsRepository Open(string root) =>
        new(root, MlopsConfig.Load(Path.Combine(root, ".mlops", "config.json")));

    /// <summary>Creates <c>.mlops/</c> with its .gitignore, so the cache is never committed.</summary>
    public void EnsureInitialized()
    {
        Directory.CreateDirectory(MlopsDirectory);
        IO.AtomicFile.WriteAllTextIfChanged(Path.Combine(MlopsDirectory, ".gitignore"), "# The content cache and scratch space are local; config.json is committed.\n/cache/\n/tmp/\n");
    }

    /// <summary>A path relative to the root, with forward slashes, or BM5002 if it lies outside.</summary>
    public string RelativePath(string fullPath, SourceLocation location)
    {
        var relative = Path.GetRelativePath(Root, Path.GetFullPath(fullPath));
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new MlopsException(ErrorCodes.PointerOutsideRepository, location, $"'{fullPath}' is outside the repository at {Root}", "Keep tracked data inside the repository");
        }

        return relative.Replace('\\', '/');
    }

    public void SaveConfig()
    {
        EnsureInitialized();
        Config.Save(ConfigPath);
    }
}
