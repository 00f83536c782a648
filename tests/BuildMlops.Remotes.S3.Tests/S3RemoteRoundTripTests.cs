using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

[TestFixture]
public sealed class S3RemoteRoundTripTests
{
    private static S3Server Server => S3ServerSetUp.Server;

    [TestCase(0L, TestName = "GivenAnEmptyFile_WhenUploadedAndDownloaded_ThenTheBytesAreTheSame")]
    [TestCase(1000L, TestName = "GivenASmallFile_WhenUploadedAndDownloaded_ThenTheBytesAreTheSame")]
    [TestCase(5 * TestData.MiB + 17, TestName = "GivenAFewMebibytes_WhenUploadedAndDownloaded_ThenTheBytesAreTheSame")]
    [TestCase(80 * TestData.MiB + 5, TestName = "GivenAFileOverTheMultipartThreshold_WhenUploadedAndDownloaded_ThenTheBytesAreTheSame")]
    public async Task RoundTrip(long length)
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "source.bin", length, seed: (int)length);
        using var remote = TestData.Remote(Server);
        var key = RemoteKeys.Object(TestData.Sha256(source));

        await remote.UploadAsync(key, source, CancellationToken.None);
        var target = directory.Combine("target.bin");
        bool found;
        await using (var stream = File.Create(target))
        {
            found = await remote.DownloadAsync(key, stream, CancellationToken.None);
        }

        Assert.That(found, Is.True);
        Assert.That(new FileInfo(target).Length, Is.EqualTo(length));
        Assert.That(TestData.Sha256(target), Is.EqualTo(TestData.Sha256(source)));
    }

    [Test]
    public async Task GivenAKeyNeverUploaded_WhenAskedWhetherItExists_ThenFalse_AndAfterUploadTrue()
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "a.bin", 100);
        using var remote = TestData.Remote(Server);
        var key = RemoteKeys.Run("train", "0123abcd");

        Assert.That(await remote.ExistsAsync(key, CancellationToken.None), Is.False);

        await remote.UploadAsync(key, source, CancellationToken.None);

        Assert.That(await remote.ExistsAsync(key, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task GivenAMissingKey_WhenDownloaded_ThenFalseAndNothingIsWritten()
    {
        using var remote = TestData.Remote(Server);
        using var destination = new MemoryStream();

        var found = await remote.DownloadAsync(RemoteKeys.Object(new string('a', 64)), destination, CancellationToken.None);

        Assert.That(found, Is.False);
        Assert.That(destination.Length, Is.Zero);
    }

    [Test]
    public async Task GivenAnUploadedObject_WhenDeleted_ThenItNoLongerExists_AndDeletingAgainIsFine()
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "a.bin", 10);
        using var remote = TestData.Remote(Server);
        await remote.UploadAsync("files/x", source, CancellationToken.None);

        await remote.DeleteAsync("files/x", CancellationToken.None);

        Assert.That(await remote.ExistsAsync("files/x", CancellationToken.None), Is.False);
        Assert.That(async () => await remote.DeleteAsync("files/x", CancellationToken.None), Throws.Nothing);
    }

    [Test]
    public async Task GivenAnObjectUploadedTwice_WhenDownloaded_ThenTheSecondUploadWins()
    {
        using var directory = new TemporaryDirectory("s3");
        using var remote = TestData.Remote(Server);
        await remote.UploadAsync("runs/train/k.json", TestData.RandomFile(directory, "first.bin", 300, seed: 1), CancellationToken.None);
        var second = TestData.RandomFile(directory, "second.bin", 200, seed: 2);

        await remote.UploadAsync("runs/train/k.json", second, CancellationToken.None);

        using var destination = new MemoryStream();
        await remote.DownloadAsync("runs/train/k.json", destination, CancellationToken.None);
        Assert.That(destination.ToArray(), Is.EqualTo(File.ReadAllBytes(second)));
    }

    [Test]
    public async Task GivenARemoteWithAPrefix_WhenAnObjectIsUploaded_ThenItLiesUnderThePrefixInTheBucket()
    {
        using var directory = new TemporaryDirectory("s3");
        using var remote = TestData.Remote(Server);
        var prefix = remote.Options.Location.Prefix;

        await remote.UploadAsync("files/sha256/ab/cd", TestData.RandomFile(directory, "a.bin", 10), CancellationToken.None);

        Assert.That(remote.Url, Is.EqualTo($"s3://{Server.Bucket}/{prefix}"));
        Assert.That(File.Exists(Path.Combine(Server.DataDirectory, Server.Bucket, prefix, "files", "sha256", "ab", "cd._S3rver_object")), Is.True, "s3rver keeps <bucket>/<key>._S3rver_object");
    }
}
