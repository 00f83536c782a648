using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests;

/// <summary>The Debian tools that read the images back. Missing is a failure, never a skip, in CI and
/// elsewhere alike (as with the S3 server): .ci/run installs them, and the message says how.</summary>
internal static class Tools
{
    public static string Require(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{name} is missing: install Debian's {name} (apt-get install umoci skopeo; CI's .ci/run does this)");
        return name;
    }

    public static ProcessResult Run(string name, params string[] arguments)
    {
        var result = ProcessRunner.Run(Require(name), arguments, Path.GetTempPath(), timeout: TimeSpan.FromMinutes(1));
        Assert.That(result.ExitCode, Is.Zero, $"{name} {string.Join(' ', arguments)}\n{result}");
        return result;
    }
}
