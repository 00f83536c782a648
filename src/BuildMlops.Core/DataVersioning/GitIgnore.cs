namespace BuildMlops.DataVersioning;

/// <summary>Keeps tracked data out of git: an entry in the .gitignore beside it, as DVC does.</summary>
internal static class GitIgnore
{
    public static void Add(string dataPath)
    {
        var directory = Path.GetDirectoryName(dataPath.TrimEnd(Path.DirectorySeparatorChar))!;
        var entry = "/" + Path.GetFileName(dataPath.TrimEnd(Path.DirectorySeparatorChar));
        var gitignore = Path.Combine(directory, ".gitignore");
        var lines = File.Exists(gitignore) ? File.ReadAllLines(gitignore).ToList() : [];
        if (lines.Contains(entry, StringComparer.Ordinal))
        {
            return;
        }

        lines.Add(entry);
        IO.AtomicFile.WriteAllText(gitignore, string.Join("\n", lines) + "\n");
    }
}
