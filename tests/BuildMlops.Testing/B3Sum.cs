namespace BuildMlops.Testing;

/// <summary>
/// The BLAKE3 team's own <c>b3sum</c> (Debian package b3sum), as an oracle: a pointer file's BLAKE3 hash
/// must be the one anybody can recompute with it, not merely one our own code agrees with.
/// </summary>
public static class B3Sum
{
    private const string Tool = "/usr/bin/b3sum";

    public static string Of(string path) => Of([path])[path];

    /// <summary>Many files in one process: path to hash.</summary>
    public static IReadOnlyDictionary<string, string> Of(IReadOnlyList<string> paths)
    {
        if (!File.Exists(Tool))
        {
            throw new InvalidOperationException($"{Tool} is missing: install Debian's b3sum package (.ci/run does)");
        }

        var result = ProcessRunner.Run(Tool, ["--no-names", .. paths], Directory.GetCurrentDirectory(), timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"b3sum failed: {result}");
        }

        // --no-names prints one hash per line, in the order of the arguments.
        var hashes = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (hashes.Length != paths.Count)
        {
            throw new InvalidOperationException($"b3sum printed {hashes.Length} hashes for {paths.Count} files: {result}");
        }

        return paths.Select((path, index) => (path, hashes[index].Trim())).ToDictionary(pair => pair.path, pair => pair.Item2, StringComparer.Ordinal);
    }
}
