using BuildMlops.Cache;
using BuildMlops.DataVersioning;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>
/// Large objects come down as ranged GETs at once, written at their offsets and verified as a whole
/// before they enter the cache. Part size and threshold are shrunk so that a few MiB make many ranges.
/// </summary>
[TestFixture]
public sealed class S3RemoteRangedDownloadTests
{
    private const long PartSize = 1 * TestData.MiB;
    private const long Length = (9 * TestData.MiB) + 12_345;

    private static S3Server Server => S3ServerSetUp.Server;

    [Test]
    public async Task GivenAnObjectLargerThanThePartSize_WhenDownloadedToATarget_ThenRangesArriveAtOnceAndTheBytesAreTheSame()
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory);
        using var _ = remote;
        var target = new MemoryTarget(Length) { HoldFirstWriteUntilAnotherRange = true };

        var found = await remote.DownloadToAsync(key, target, CancellationToken.None);

        Assert.That(found, Is.True);
        Assert.That(target.Bytes, Is.EqualTo(File.ReadAllBytes(source)));
        Assert.That(target.OtherRangeWhileFirstHeld, Is.True, "a later range was written while the first one waited: ranges in flight at once");
    }

    [Test]
    public async Task GivenAPointerThatUnderstatesTheSize_WhenDownloadedInRanges_ThenTheWholeObjectArrivesAnyway()
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory);
        using var _ = remote;
        var target = new MemoryTarget(Length, expectedSize: 3 * PartSize);

        Assert.That(await remote.DownloadToAsync(key, target, CancellationToken.None), Is.True);

        Assert.That(target.Bytes, Is.EqualTo(File.ReadAllBytes(source)), "the first range's Content-Range gives the real size");
    }

    // Both algorithms: ranges arrive out of order and each hash must still be fed the bytes in order.
    [TestCase(ContentHashAlgorithm.Sha256)]
    [TestCase(ContentHashAlgorithm.Blake3)]
    public async Task GivenALargeObject_WhenPulled_ThenTheCacheHoldsIdenticalBytesAndNoTemporaryFile(ContentHashAlgorithm algorithm)
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory, algorithm: algorithm);
        using var _ = remote;
        var cache = new ContentCache(directory.Combine("cache"));
        var id = IdOf(source, algorithm);

        var summary = await new DataTransfer(cache, remote, new SilentLog(), jobs: 2).PullAsync([(id, Length)], CancellationToken.None);

        Assert.That(summary.Transferred, Is.EqualTo(1));
        Assert.That(IdOf(cache.ObjectPath(id), algorithm), Is.EqualTo(id));
        Assert.That(TemporaryFiles(cache), Is.Empty);
        Assert.That(key, Is.EqualTo(RemoteKeys.Object(id)));
    }

    [TestCase(ContentHashAlgorithm.Sha256)]
    [TestCase(ContentHashAlgorithm.Blake3)]
    public async Task GivenALargeRemoteObjectWithAFlippedByte_WhenPulled_ThenBM5004_NothingEntersTheCache_AndTheRemoteObjectIsDeleted(ContentHashAlgorithm algorithm)
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory, algorithm: algorithm);
        using var _ = remote;
        var id = IdOf(source, algorithm);
        FlipByte(StoredObject(remote, key), offset: (7 * PartSize) + 99);
        var cache = new ContentCache(directory.Combine("cache"));

        var error = Assert.ThrowsAsync<MlopsException>(async () => await new DataTransfer(cache, remote, new SilentLog(), jobs: 2).PullAsync([(id, Length)], CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RemoteObjectCorrupt));
        Assert.That(error.Message, Does.Contain(id.Short).And.Contain("deleted from the remote"));
        Assert.That(cache.Contains(id), Is.False, "never renamed into the cache");
        Assert.That(TemporaryFiles(cache), Is.Empty);
        Assert.That(await remote.ExistsAsync(key, CancellationToken.None), Is.False, "deleted, so that the next push replaces it");
    }

    /// <summary>The file's id by an oracle that is not our code: .NET's SHA-256, or the BLAKE3 team's b3sum.</summary>
    private static ContentId IdOf(string path, ContentHashAlgorithm algorithm) =>
        new(algorithm, algorithm == ContentHashAlgorithm.Blake3 ? B3Sum.Of(path) : TestData.Sha256(path));

    [Test]
    public async Task GivenARangedDownloadIntoTheCache_WhenCancelledMidWay_ThenItStopsAndNoTemporaryFileIsLeft()
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory);
        using var _ = remote;
        var hash = TestData.Sha256(source);
        var cache = new ContentCache(directory.Combine("cache"));
        using var cancellation = new CancellationTokenSource();

        Assert.That(
            async () => await cache.AddVerifiedAsync(hash, Length, (target, token) => remote.DownloadToAsync(key, new CancelAfterFirstWrite(target, cancellation), token), cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());

        Assert.That(cache.Contains(hash), Is.False);
        Assert.That(TemporaryFiles(cache), Is.Empty);
    }

    [Test]
    public async Task GivenOnePartSlotAndACancelledRangedDownload_WhenTheSameRemoteDownloadsAgain_ThenItCompletes()
    {
        using var directory = new TemporaryDirectory("s3-ranged");
        var (remote, key, source) = await UploadedAsync(directory, partConcurrency: 1);
        using var _ = remote;
        using (var cancellation = new CancellationTokenSource())
        {
            Assert.That(
                async () => await remote.DownloadToAsync(key, new CancelAfterFirstWrite(new MemoryTarget(Length), cancellation), cancellation.Token),
                Throws.InstanceOf<OperationCanceledException>());
        }

        // A slot the cancelled download kept would leave this one waiting for ever.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var target = new MemoryTarget(Length);
        Assert.That(await remote.DownloadToAsync(key, target, deadline.Token), Is.True);
        Assert.That(target.Bytes, Is.EqualTo(File.ReadAllBytes(source)));
    }

    /// <summary>A file of <see cref="Length"/> random bytes on the server, and a remote that fetches it in ranges of <see cref="PartSize"/>.</summary>
    private static async Task<(S3Remote Remote, string Key, string Source)> UploadedAsync(TemporaryDirectory directory, int partConcurrency = 4, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256)
    {
        var source = TestData.RandomFile(directory, "large.bin", Length, seed: 11);
        var key = RemoteKeys.Object(IdOf(source, algorithm));
        var settings = TestData.Settings(Server);
        using (var uploader = new S3Remote("storage", settings))
        {
            await uploader.UploadAsync(key, source, CancellationToken.None);
        }

        var options = S3RemoteOptions.FromSettings("storage", settings) with { MultipartThreshold = 2 * PartSize, PartSize = PartSize, PartConcurrency = partConcurrency };
        return (new S3Remote("storage", options), key, source);
    }

    /// <summary>s3rver keeps an object's bytes in <c>&lt;bucket&gt;/&lt;key&gt;._S3rver_object</c>.</summary>
    private static string StoredObject(S3Remote remote, string key) =>
        Path.Combine(Server.DataDirectory, Server.Bucket, remote.Options.Location.ObjectKey(key) + "._S3rver_object");

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    private static string[] TemporaryFiles(ContentCache cache)
    {
        var folder = Path.Combine(cache.Root, "tmp");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    /// <summary>
    /// Keeps what is written in memory. Optionally holds the first write at offset 0 until a write
    /// beyond the first part arrives (10 s at most): only ranges in flight at once get past that.
    /// </summary>
    private sealed class MemoryTarget(long length, long? expectedSize = null) : IDownloadTarget
    {
        private readonly TaskCompletionSource otherRange = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[] Bytes { get; } = new byte[length];

        public bool HoldFirstWriteUntilAnotherRange { get; init; }

        public bool OtherRangeWhileFirstHeld { get; private set; }

        public long? ExpectedSize { get; } = expectedSize ?? length;

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellation)
        {
            if (offset >= PartSize)
            {
                otherRange.TrySetResult();
            }
            else if (offset == 0 && HoldFirstWriteUntilAnotherRange)
            {
                OtherRangeWhileFirstHeld = await Task.WhenAny(otherRange.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellation)) == otherRange.Task;
            }

            data.Span.CopyTo(Bytes.AsSpan((int)offset));
        }
    }

    /// <summary>Passes writes on, and cancels the download once the first has landed: mid-way, whatever the timing.</summary>
    private sealed class CancelAfterFirstWrite(IDownloadTarget inner, CancellationTokenSource cancellation) : IDownloadTarget
    {
        public long? ExpectedSize => inner.ExpectedSize;

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken token)
        {
            await inner.WriteAsync(offset, data, token);
            await cancellation.CancelAsync();
        }
    }
}
