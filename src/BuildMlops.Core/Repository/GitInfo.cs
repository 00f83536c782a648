using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BuildMlops.Repository;

/// <summary>
/// What git says about the commit a build runs on: the commit, its time, whether the work tree has
/// uncommitted changes, and where the repository lives. Images take their fixed timestamp and their
/// revision and source annotations from here; lineage records it. Read by running git itself, so
/// worktrees, submodules and packed refs all work; outside a git work tree, or without git, it is
/// <see langword="null"/> rather than an error, and callers say what they need instead.
/// </summary>
public sealed partial record GitInfo(string Commit, DateTimeOffset CommitTime, string? RemoteUrl)
{
    /// <summary>The commit, time and origin URL of HEAD in the work tree holding <paramref name="directory"/>, or null.</summary>
    public static GitInfo? Read(string directory)
    {
        var head = Run(directory, "log", "-1", "--format=%H %ct");
        if (head is null || head.Split(' ') is not [var commit, var seconds] || !long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var time))
        {
            return null;
        }

        var remote = Run(directory, "config", "--get", "remote.origin.url");
        return new GitInfo(commit, DateTimeOffset.FromUnixTimeSeconds(time), string.IsNullOrWhiteSpace(remote) ? null : BrowsableUrl(remote));
    }

    /// <summary>The repository's top folder for <paramref name="directory"/>, or null outside a git work tree.</summary>
    public static string? TopLevel(string directory) => Run(directory, "rev-parse", "--show-toplevel");

    /// <summary>A file's content at <paramref name="reference"/> (a commit, branch or tag), or null when git has none.</summary>
    /// <param name="path">The path relative to the repository's top folder, '/'-separated.</param>
    public static string? Show(string repositoryRoot, string reference, string path) => Run(repositoryRoot, "show", $"{reference}:{path}");

    /// <summary>True when tracked files differ from HEAD (untracked files do not count: a build's own outputs are ignored).</summary>
    public static bool IsDirty(string directory) =>
        !string.IsNullOrEmpty(Run(directory, "status", "--porcelain", "--untracked-files=no"));

    /// <summary>
    /// HEAD and whether anything tracked or untracked (not ignored) differs from it, as the model registry
    /// records a version's source; null outside git. Unlike <see cref="IsDirty"/>, a new file counts: a
    /// model may have been trained from data not yet committed.
    /// </summary>
    public static (string Commit, bool Dirty)? State(string directory)
    {
        var commit = Run(directory, "rev-parse", "--verify", "--quiet", "HEAD");
        if (commit is not { Length: 40 })
        {
            return null;
        }

        var status = Run(directory, "status", "--porcelain", "--untracked-files=normal");
        return (commit, status is null || status.Length > 0);
    }

    /// <summary>Who is acting, for audit logs: <c>Name &lt;email&gt;</c> from git's user.name and user.email, else $USER, else the OS user name.</summary>
    public static string Who(string directory)
    {
        // One process for both settings: "user.name Jane Doe" and "user.email jane@example.com" lines.
        var settings = (Run(directory, "config", "--get-regexp", @"^user\.(name|email)$") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
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

    /// <summary>
    /// The https URL people open for a remote URL: <c>git@github.com:org/repo.git</c> and
    /// <c>ssh://git@host/org/repo</c> become <c>https://host/org/repo</c>; credentials embedded in an
    /// https URL are dropped, since the URL ends up in image annotations.
    /// </summary>
    public static string BrowsableUrl(string remoteUrl)
    {
        var url = remoteUrl.Trim();
        if (ScpLike().Match(url) is { Success: true } scp)
        {
            url = $"https://{scp.Groups["host"].Value}/{scp.Groups["path"].Value}";
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "ssh" or "git" or "http" or "https")
        {
            var scheme = uri.Scheme == "http" ? "http" : "https";
            var port = uri.IsDefaultPort || uri.Scheme is "ssh" or "git" ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
            url = $"{scheme}://{uri.Host}{port}{uri.AbsolutePath}";
        }

        return url.EndsWith(".git", StringComparison.Ordinal) ? url[..^4] : url;
    }

    private static string? Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // git's own messages would be localised and its pager or prompts could wait for a terminal.
        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = error.Result;
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git on PATH: the same as no repository.
            return null;
        }
    }

    [GeneratedRegex(@"^(?:[^@/]+@)?(?<host>[^:/]+):(?!//)(?<path>.+)$")]
    private static partial Regex ScpLike();
}
