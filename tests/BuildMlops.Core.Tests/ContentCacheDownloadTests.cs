using System.Security.Cryptography;
using BuildMlops.Cache;
using BuildMlops.Remotes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>Downloads into the cache: written in ranges in any order, verified as a whole, stored only if right.</summary>
[TestFixture]
public sealed class ContentCacheDownloadTests
{
    private const int Piece = 64 * 1024;

    [Test]
    public async Task GivenRangesWrittenOutOfOrderAndAtOnce_WhenStored_ThenTheObjectIsTheBytesInFileOrder()
    {
        using var directory = new TemporaryDirectory("cache-download");
        var cache = new ContentCache(directory.Combine("cache"));
        var bytes = RandomBytes((10 * Piece) + 123);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var order = new[] { 7, 2, 9, 0, 10, 5, 1, 8, 3, 6, 4 };

        var stored = await cache.AddVerifiedAsync(hash, bytes.Length, async (target, token) =>
        {
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 3, CancellationToken = token }, async (index, ct) =>
            {
                var start = index * Piece;
                await target.WriteAsync(start, bytes.AsMemory(start, Math.Min(Piece, bytes.Length - start)), ct);
            });
            return true;
        }, CancellationToken.None);

        Assert.That(stored, Is.True);
        Assert.That(File.ReadAllBytes(cache.ObjectPath(hash)), Is.EqualTo(bytes));
        Assert.That(Directory.GetFiles(Path.Combine(cache.Root, "tmp")), Is.Empty);
    }

    [Test]
    public async Task GivenADownloadThatLeavesAGap_WhenStored_ThenNothingIsStored()
    {
        using var directory = new TemporaryDirectory("cache-download");
        var cache = new ContentCache(directory.Combine("cache"));
        var bytes = RandomBytes(3 * Piece);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var stored = await cache.AddVerifiedAsync(hash, bytes.Length, async (target, token) =>
        {
            await target.WriteAsync(0, bytes.AsMemory(0, Piece), token);
            await target.WriteAsync(2 * Piece, bytes.AsMemory(2 * Piece, Piece), token);
            return true;
        }, CancellationToken.None);

        Assert.That(stored, Is.False);
        Assert.That(cache.Contains(hash), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(cache.Root, "tmp")), Is.Empty);
    }

    [Test]
    public async Task GivenAFolderRemote_WhenAnObjectIsStreamedIntoTheCache_ThenItIsStoredAsTheSameBytes()
    {
        using var directory = new TemporaryDirectory("cache-download");
        var bytes = RandomBytes((3 * Piece) + 1);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var source = directory.Combine("source.bin");
        File.WriteAllBytes(source, bytes);
        IRemoteStorage remote = new FolderRemote("storage", directory.Combine("remote"));
        await remote.UploadAsync(RemoteKeys.Object(hash), source, CancellationToken.None);
        var cache = new ContentCache(directory.Combine("cache"));

        var stored = await cache.AddVerifiedAsync(hash, bytes.Length, (target, token) => remote.DownloadToAsync(RemoteKeys.Object(hash), target, token), CancellationToken.None);

        Assert.That(stored, Is.True);
        Assert.That(File.ReadAllBytes(cache.ObjectPath(hash)), Is.EqualTo(bytes));
    }

    [Test]
    public void GivenAnObjectChangedAfterTheCacheHashedIt_WhenVerifiedAgain_ThenTheChangeIsFound()
    {
        using var directory = new TemporaryDirectory("cache-download");
        var cache = new ContentCache(directory.Combine("cache"));
        var source = directory.Combine("data.bin");
        File.WriteAllBytes(source, RandomBytes(Piece));
        var hash = cache.Add(source);
        Assert.That(cache.Verify(hash), Is.True);

        var path = cache.ObjectPath(hash);
        // Objects are read-only: a change takes a chmod first, as a user's editor or script would do.
        File.SetAttributes(path, FileAttributes.Normal);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 100;
            stream.WriteByte(0x5A);
        }

        Assert.That(cache.Verify(hash), Is.False, "the file's stat changed, so it is read again");
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
