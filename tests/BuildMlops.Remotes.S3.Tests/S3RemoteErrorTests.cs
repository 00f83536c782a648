using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BuildMlops.Diagnostics;
using BuildMlops.Repository;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

[TestFixture]
public sealed class S3RemoteErrorTests
{
    private static S3Server Server => S3ServerSetUp.Server;

    [Test]
    public void GivenAWrongSecretKey_WhenUploading_ThenBM5005NamesTheRemoteAndNeverTheSecret()
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "a.bin", 100);
        var secret = "wrong-secret-" + Guid.NewGuid().ToString("N");
        using var credentials = AwsEnvironment.WithKeys(S3Server.AccessKey, secret);
        using var remote = TestData.Remote(Server);

        var error = Assert.ThrowsAsync<MlopsException>(async () => await remote.UploadAsync("files/a", source, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RemoteAccessDenied));
        Assert.That(error.Message, Does.Contain("'storage'").And.Contain(remote.Url).And.Contain("SignatureDoesNotMatch"));
        Assert.That(error.Help, Does.Contain("AWS_SECRET_ACCESS_KEY"));
        Assert.That(error.ToString() + error.ToCanonicalString(), Does.Not.Contain(secret));
    }

    [Test]
    public void GivenAnUnknownAccessKey_WhenCheckingAKey_ThenBM5005()
    {
        using var credentials = AwsEnvironment.WithKeys("NOT-A-KEY", "whatever-secret");
        using var remote = TestData.Remote(Server);

        var error = Assert.ThrowsAsync<MlopsException>(async () => await remote.ExistsAsync("files/a", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RemoteAccessDenied));
        Assert.That(error.ToString(), Does.Not.Contain("whatever-secret"));
    }

    [Test]
    public void GivenAnEndpointNobodyListensOn_WhenCheckingAKey_ThenBM5006NamesTheEndpointQuickly()
    {
        var endpoint = $"http://127.0.0.1:{ClosedPort()}";
        var settings = new RemoteSettings { Url = "s3://bucket/prefix", Options = new(StringComparer.Ordinal) { ["endpoint"] = endpoint } };
        using var remote = new S3Remote("storage", S3RemoteOptions.FromSettings("storage", settings) with { MaxErrorRetry = 1, ConnectTimeout = TimeSpan.FromSeconds(2) });
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<MlopsException>(async () => await remote.ExistsAsync("files/a", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RemoteUnreachable));
        Assert.That(error.Message, Does.Contain(endpoint).And.Contain("'storage'"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void GivenABucketThatDoesNotExist_WhenCheckingOrUploading_ThenBM5007NamesTheBucket()
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "a.bin", 10);
        using var remote = TestData.Remote(Server, bucket: "no-such-bucket");

        var onCheck = Assert.ThrowsAsync<MlopsException>(async () => await remote.ExistsAsync("files/a", CancellationToken.None))!;
        var onUpload = Assert.ThrowsAsync<MlopsException>(async () => await remote.UploadAsync("files/a", source, CancellationToken.None))!;
        var onDownload = Assert.ThrowsAsync<MlopsException>(async () => await remote.DownloadAsync("files/a", Stream.Null, CancellationToken.None))!;

        Assert.That(new[] { onCheck.Code, onUpload.Code, onDownload.Code }, Is.All.EqualTo(ErrorCodes.BadRemote));
        Assert.That(onCheck.Message, Does.Contain("'no-such-bucket' does not exist"));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
