namespace BuildMlops.Testing;

/// <summary>
/// The BLAKE3 team's own <c>b3sum</c> (Debian package b3sum), as an oracle: a pointer file's BLAKE3 hash
/// must be the one anybody can recompute with it, not merely one our own code agrees with.
/// </summary>
public static class B3Sum
{
    public static string Of(string path)
    {
        const string tool = "/usr/bin/b3sum";
        if (!File.Exists(tool))
        {
            throw new InvalidOperationException($"{tool} is missing: install Debian's b3sum package (.ci/run does)");
        }

        var result = ProcessRunner.Run(tool, ["--no-names", path], Path.GetDirectoryName(Path.GetFullPath(path))!, timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"b3sum {path} failed: {result}");
        }

        return result.StandardOutput.Trim();
    }
}
