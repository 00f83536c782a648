using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>
/// Debian's aws CLI (package awscli), an S3 client the remote shares no code with. Called by its full
/// path: an 'aws' earlier on PATH may be a pyenv shim that does not run.
/// </summary>
public static class AwsCli
{
    public const string Path = "/usr/bin/aws";

    /// <summary>Downloads an object with one GetObject, as another tool would, into <paramref name="target"/>.</summary>
    public static void GetObject(S3Server server, string bucket, string objectKey, string target, TemporaryDirectory scratch)
    {
        if (!File.Exists(Path))
        {
            Assert.Fail($"{Path} is missing: install Debian's awscli (apt-get install awscli; CI's .ci/run does this)");
        }

        // Path-style addressing and no profile from the machine: only the test server's keys.
        var config = scratch.Combine("aws-config");
        File.WriteAllText(config, "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n");
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = scratch.Combine("no-credentials"),
            ["AWS_PAGER"] = "",
            ["PYTHONPATH"] = null,
            ["PYTHONHOME"] = null,
        };
        var result = ProcessRunner.Run(
            Path,
            ["--endpoint-url", server.Endpoint, "s3api", "get-object", "--bucket", bucket, "--key", objectKey, target],
            scratch.Path,
            environment,
            TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.Zero, $"aws s3api get-object failed:\n{result}");
    }
}
