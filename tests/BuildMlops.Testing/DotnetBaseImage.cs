using System.Text.RegularExpressions;

namespace BuildMlops.Testing;

/// <summary>
/// A small .NET runtime base image made on the spot, because tests reach no public registry: the
/// host's own dotnet (muxer, hostfxr, Microsoft.NETCore.App and Microsoft.AspNetCore.App) plus the
/// shared libraries it and the serving host's native assets link against, found with ldd. It is made
/// with Debian's umoci, not with our own image writer, so a model image's base comes from an
/// independent tool as it would in real life. Globalization is invariant (no ICU in the image), as in
/// the chiseled .NET images.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static partial class DotnetBaseImage
{
    public const string Tag = "10.0";

    /// <summary>The serving host's environment for the base, as the .NET images set it.</summary>
    public static readonly IReadOnlyList<string> Environment =
    [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "DOTNET_RUNNING_IN_CONTAINER=true",
        "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true",
        "APP_UID=1654",
        "ASPNETCORE_HTTP_PORTS=8080",
    ];

    private static readonly object Gate = new();
    private static string? _built;

    /// <summary>
    /// The base as an OCI layout folder (tag <see cref="Tag"/>), built once per test process into
    /// a temporary folder that lives until the process ends.
    /// </summary>
    public static string Layout(string servingHostDirectory)
    {
        lock (Gate)
        {
            return _built ??= Build(servingHostDirectory);
        }
    }

    private static string Build(string servingHostDirectory)
    {
        var dotnetRoot = DotnetRoot();
        var work = Directory.CreateTempSubdirectory("buildmlops-base-").FullName;
        var layout = Path.Combine(work, "layout");
        var bundle = Path.Combine(work, "bundle");
        var image = $"{layout}:{Tag}";
        Umoci("init", "--layout", layout);
        Umoci("new", "--image", image);
        Umoci("unpack", "--rootless", "--image", image, bundle);
        var rootfs = Path.Combine(bundle, "rootfs");

        // Debian's merged /usr: /lib, /lib64 and /bin are links into /usr.
        foreach (var (link, target) in new[] { ("lib", "usr/lib"), ("lib64", "usr/lib64"), ("bin", "usr/bin"), ("sbin", "usr/sbin") })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, target));
            File.CreateSymbolicLink(Path.Combine(rootfs, link), target);
        }

        foreach (var directory in new[] { "tmp", "etc", "app" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, directory));
        }

        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\napp:x:1654:\n");

        var runtimeTarget = Path.Combine(rootfs, "usr", "share", "dotnet");
        CopyFile(Path.Combine(dotnetRoot, "dotnet"), Path.Combine(runtimeTarget, "dotnet"));
        foreach (var part in new[] { "host", Path.Combine("shared", "Microsoft.NETCore.App"), Path.Combine("shared", "Microsoft.AspNetCore.App") })
        {
            CopyDirectory(Path.Combine(dotnetRoot, part), Path.Combine(runtimeTarget, part));
        }

        File.CreateSymbolicLink(Path.Combine(rootfs, "usr", "bin", "dotnet"), "/usr/share/dotnet/dotnet");

        // Every shared library the runtime and the serving host's native assets need, plus OpenSSL,
        // which .NET opens at run time rather than linking.
        var elfFiles = Directory.EnumerateFiles(runtimeTarget, "*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".so", StringComparison.Ordinal) || Path.GetFileName(file) == "dotnet")
            .Concat(Directory.Exists(Path.Combine(servingHostDirectory, "runtimes", "linux-x64"))
                ? Directory.EnumerateFiles(Path.Combine(servingHostDirectory, "runtimes", "linux-x64"), "*.so", SearchOption.AllDirectories)
                : []);
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in elfFiles)
        {
            var output = ProcessRunner.Run("ldd", [file], work, timeout: TimeSpan.FromSeconds(30)).StandardOutput;
            foreach (Match match in LibraryPath().Matches(output))
            {
                libraries.Add(match.Groups["path"].Value);
            }
        }

        foreach (var name in new[] { "libssl.so.3", "libcrypto.so.3" })
        {
            var host = Path.Combine("/usr/lib/x86_64-linux-gnu", name);
            if (File.Exists(host))
            {
                libraries.Add(host);
            }
        }

        foreach (var library in libraries)
        {
            CopyLibrary(library, rootfs);
        }

        Umoci("repack", "--image", image, bundle);
        var config = new List<string> { "config", "--image", image, "--config.user", "1654:1654", "--config.workingdir", "/app", "--config.exposedports", "8080/tcp" };
        foreach (var variable in Environment)
        {
            config.Add("--config.env");
            config.Add(variable);
        }

        config.AddRange(["--author", "BuildMlops tests", "--history.created_by", "buildmlops tests: host dotnet runtime"]);
        Umoci([.. config]);
        Directory.Delete(bundle, recursive: true);
        return layout;
    }

    private static string DotnetRoot()
    {
        var muxer = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var root = muxer is { Length: > 0 } && File.Exists(muxer)
            ? Path.GetDirectoryName(Path.GetFullPath(muxer))!
            : Path.GetDirectoryName(new FileInfo(System.Environment.ProcessPath!).ResolveLinkTarget(true)?.FullName ?? System.Environment.ProcessPath!)!;
        if (!Directory.Exists(Path.Combine(root, "shared", "Microsoft.AspNetCore.App")))
        {
            root = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            root = Path.GetFullPath(Path.Combine(root, "..", "..", ".."));
        }

        return root;
    }

    /// <summary>Copies a library to its real path in the image and links the name it was found under.</summary>
    private static void CopyLibrary(string library, string rootfs)
    {
        var real = new FileInfo(library).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(library);
        var realTarget = Path.Combine(rootfs, InUsr(real).TrimStart('/'));
        if (!File.Exists(realTarget))
        {
            CopyFile(real, realTarget);
        }

        var named = Path.Combine(rootfs, InUsr(library).TrimStart('/'));
        if (named != realTarget && !File.Exists(named) && !Path.Exists(named))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(named)!);
            File.CreateSymbolicLink(named, "/" + InUsr(real).TrimStart('/'));
        }
    }

    /// <summary>/lib/… as /usr/lib/…: the image's /lib is a link, so nothing may be written through it.</summary>
    private static string InUsr(string path) =>
        Regex.Replace(path, "^/(lib|lib64|bin|sbin)/", "/usr/$1/");

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            CopyFile(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }
    }

    private static void CopyFile(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
        File.SetUnixFileMode(target, File.GetUnixFileMode(source) | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private static void Umoci(params string[] arguments)
    {
        var result = ProcessRunner.Run("umoci", arguments, Path.GetTempPath(), timeout: TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"umoci {string.Join(' ', arguments)} failed (install Debian's umoci; CI's .ci/run does):\n{result}");
        }
    }

    [GeneratedRegex(@"(?:=>\s+|^\s+)(?<path>/[^\s]+)\s+\(0x", RegexOptions.Multiline)]
    private static partial Regex LibraryPath();
}
