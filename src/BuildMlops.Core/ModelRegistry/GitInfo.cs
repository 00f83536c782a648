using System.ComponentModel;
using System.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// What the registry asks git: the commit a model was built from, whether the work tree was dirty, and
/// who is acting (for the audit log). Outside a git work tree, or without git on the PATH, the answers
/// are null or the operating system's user name: registering never fails for want of git.
/// </summary>
internal static class GitInfo
{
    /// <summary>HEAD and whether anything tracked or untracked (not ignored) differs from it; null outside git.</summary>
    public static (string Commit, bool Dirty)? State(string directory)
    {
        var commit = Git(directory, "rev-parse", "--verify", "--quiet", "HEAD");
        if (commit is not [{ Length: 40 } head, ..])
        {
            return null;
        }

        var status = Git(directory, "status", "--porcelain", "--untracked-files=normal");
        return (head, status is null || status.Count > 0);
    }

    /// <summary><c>Name &lt;email&gt;</c> from git's user.name and user.email, else $USER, else the OS user name.</summary>
    public static string Who(string directory)
    {
        // One process for both settings: "user.name Jane Doe" and "user.email jane@example.com" lines.
        var settings = (Git(directory, "config", "--get-regexp", @"^user\.(name|email)$") ?? [])
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2 && parts[1].Trim().Length > 0)
            .GroupBy(parts => parts[0])
            .ToDictionary(group => group.Key, group => group.Last()[1].Trim(), StringComparer.Ordinal);
        var name = settings.GetValueOrDefault("user.name");
        var email = settings.GetValueOrDefault("user.email");
        return (name, email) switch
        {
            ({ } n, { } e) => $"{n} <{e}>",
            ({ } n, null) => n,
            (null, { } e) => $"<{e}>",
            _ => Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user ? user : Environment.UserName,
        };
    }

    /// <summary>The command's output lines, or null when git is missing or the command failed.</summary>
    private static List<string>? Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var errors = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
            }

            process.WaitForExit();
            _ = errors.Result;
            return process.ExitCode == 0 ? lines : null;
        }
        catch (Win32Exception)
        {
            return null; // no git on the PATH
        }
    }
}
