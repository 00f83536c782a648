using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>
/// One s3rver for the whole assembly, with its key pair in the environment. Without s3rver every test
/// here fails with what to install: CI=true or not, these tests are never skipped.
/// </summary>
[SetUpFixture]
public sealed class S3ServerSetUp
{
    private static S3Server? server;
    private static AwsEnvironment? environment;

    public static S3Server Server => server ?? throw new InvalidOperationException("the S3 server was not started");

    [OneTimeSetUp]
    public void StartServer()
    {
        try
        {
            server = S3Server.Start();
        }
        catch (InvalidOperationException exception)
        {
            var where = Environment.GetEnvironmentVariable("CI") == "true" ? "CI must install it: check .ci/run" : "install it";
            Assert.Fail($"the S3 remote's tests need s3rver, {where}. {exception.Message}");
        }

        environment = AwsEnvironment.WithKeys(S3Server.AccessKey, S3Server.SecretKey);
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        environment?.Dispose();
        server?.Dispose();
    }
}
