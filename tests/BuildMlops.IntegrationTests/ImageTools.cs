using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Debian's image tools, used as independent readers of what we build and push: skopeo, umoci and
/// bubblewrap. Missing is a failure, never a skip: .ci/run installs them and the message says how.
/// </summary>
internal static class ImageTools
{
    public static ProcessResult Run(string tool, params string[] arguments)
    {
        var result = ProcessRunner.Run(tool, arguments, Path.GetTempPath(), timeout: TimeSpan.FromMinutes(3));
        Assert.That(result.ExitCode, Is.Zero, $"{tool} {string.Join(' ', arguments)} failed (apt-get install skopeo umoci bubblewrap; CI's .ci/run does this)\n{result}");
        return result;
    }

    /// <summary>Copies an image from the registry to an OCI layout with skopeo and unpacks it with umoci into a runtime bundle.</summary>
    public static string PullAndUnpack(string reference, string workDirectory)
    {
        var layout = Path.Combine(workDirectory, "pulled");
        Run("skopeo", "copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:pulled");
        var bundle = Path.Combine(workDirectory, "bundle");
        Run("umoci", "unpack", "--rootless", "--image", $"{layout}:pulled", bundle);
        return bundle;
    }
}
