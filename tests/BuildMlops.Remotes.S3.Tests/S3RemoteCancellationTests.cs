using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

[TestFixture]
public sealed class S3RemoteCancellationTests
{
    private static S3Server Server => S3ServerSetUp.Server;

    [Test]
    public async Task GivenAMultipartUploadWithAPartStored_WhenCancelled_ThenItStopsAndNoObjectIsVisible()
    {
        using var directory = new TemporaryDirectory("s3");
        var source = TestData.RandomFile(directory, "large.bin", 80 * TestData.MiB);
        using var remote = new S3Remote("storage", S3RemoteOptions.FromSettings("storage", TestData.Settings(Server)) with { PartConcurrency = 1 });
        var objectKey = remote.Options.Location.ObjectKey("files/large");
        using var cancellation = new CancellationTokenSource();

        var upload = remote.UploadAsync("files/large", source, cancellation.Token);
        await WaitForAStoredPartAsync(objectKey, upload);
        await cancellation.CancelAsync();

        Assert.That(async () => await upload, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await remote.ExistsAsync("files/large", CancellationToken.None), Is.False);
        Assert.That(await remote.DownloadAsync("files/large", Stream.Null, CancellationToken.None), Is.False);
    }

    /// <summary>Until s3rver has stored a whole part of the upload of <paramref name="objectKey"/>: it is then mid-way.</summary>
    private static async Task WaitForAStoredPartAsync(string objectKey, Task upload)
    {
        // s3rver keeps an upload in <bucket>/._S3rver_uploads/<id>/ with a file 'key' and, per stored part, 'N.md5'.
        var uploads = Path.Combine(Server.DataDirectory, Server.Bucket, "._S3rver_uploads");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !upload.IsCompleted)
        {
            if (Directory.Exists(uploads) && Directory.EnumerateDirectories(uploads).Any(folder => IsUploadOf(folder, objectKey) && Directory.EnumerateFiles(folder, "*.md5").Any()))
            {
                return;
            }

            await Task.Delay(5);
        }

        Assert.Fail($"no part of {objectKey} was stored before the upload ended ({upload.Status}) or in 30 s; s3rver output:\n{Server.Output}");
    }

    private static bool IsUploadOf(string folder, string objectKey)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "key")) == objectKey;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
