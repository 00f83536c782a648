using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>What the remote writes is a plain S3 object that any other client reads back byte for byte.</summary>
[TestFixture]
public sealed class S3RemoteAwsCliTests
{
    private static S3Server Server => S3ServerSetUp.Server;

    [TestCase(4321L, TestName = "GivenASmallObjectPutByTheRemote_WhenTheAwsCliDownloadsIt_ThenItsSha256IsTheFiles")]
    [TestCase(70 * TestData.MiB + 3, TestName = "GivenAMultipartObjectPutByTheRemote_WhenTheAwsCliDownloadsIt_ThenItsSha256IsTheFiles")]
    public async Task ReadBackByAwsCli(long length)
    {
        using var directory = new TemporaryDirectory("s3-cli");
        var source = TestData.RandomFile(directory, "source.bin", length, seed: 7);
        var sha256 = TestData.Sha256(source);
        using var remote = TestData.Remote(Server);
        var key = RemoteKeys.Object(sha256);
        await remote.UploadAsync(key, source, CancellationToken.None);

        var target = directory.Combine("by-aws-cli.bin");
        AwsCli.GetObject(Server, remote.Options.Location.Bucket, remote.Options.Location.ObjectKey(key), target, directory);

        Assert.That(TestData.Sha256(target), Is.EqualTo(sha256));
    }
}
