using BuildMlops.HashData;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class FileHashCacheTests
{
    [Test]
    public void GivenAnOldUnchangedFile_WhenHashedTwice_ThenTheSecondTimeReadsNothing()
    {
        using var directory = new TemporaryDirectory("hash");
        var (file, cachePath) = SavedOldFile(directory);

        var second = FileHashCache.Load(cachePath).Get(file);

        Assert.That(second.Rehashed, Is.False);
        Assert.That(second.Hash, Is.EqualTo(ContentHash.OfText("x")));
    }

    [Test]
    public void GivenAFileWrittenInTheSameTickAsItWasHashed_WhenItChangesWithoutNewSizeOrTime_ThenTheChangeIsStillSeen()
    {
        using var directory = new TemporaryDirectory("hash");
        var file = directory.Combine("a.csv");
        File.WriteAllText(file, "x");
        var stamp = File.GetLastWriteTimeUtc(file);
        var cache = FileHashCache.Load(directory.Combine("cache.json"));
        cache.Get(file);

        File.WriteAllText(file, "y");
        File.SetLastWriteTimeUtc(file, stamp);

        Assert.That(cache.Get(file).Hash, Is.EqualTo(ContentHash.OfText("y")), "a recent file is never trusted by its timestamp alone");
    }

    [Test]
    public void GivenADamagedCache_WhenLoaded_ThenItIsEmptyNotAnError()
    {
        using var directory = new TemporaryDirectory("hash");
        File.WriteAllText(directory.Combine("cache.json"), "{not json");
        var file = directory.Combine("a.csv");
        File.WriteAllText(file, "x");

        Assert.That(FileHashCache.Load(directory.Combine("cache.json")).Get(file).Rehashed, Is.True);
    }

    [Test]
    public void GivenASavedCacheWithAPropertyAddedLater_WhenLoaded_ThenItsEntriesAreTrustedAndTheExtraIsIgnored()
    {
        using var directory = new TemporaryDirectory("hash");
        var (file, cachePath) = SavedOldFile(directory);
        File.WriteAllText(cachePath, File.ReadAllText(cachePath).Replace("\"Size\"", "\"Later\":{\"a\":[1,2]},\"Size\"", StringComparison.Ordinal));

        var second = FileHashCache.Load(cachePath).Get(file);

        Assert.That(second.Rehashed, Is.False);
        Assert.That(second.Hash, Is.EqualTo(ContentHash.OfText("x")));
    }

    [TestCase("{\"/a\":{\"Size\":1}}")]
    [TestCase("{\"/a\":{\"Size\":\"one\",\"Hash\":\"h\"}}")]
    [TestCase("[]")]
    [TestCase("{\"/a\":{\"Size\":1,\"Hash\":\"h\"}")]
    public void GivenACacheOfTheWrongShape_WhenLoaded_ThenItIsEmptyNotAnError(string json)
    {
        using var directory = new TemporaryDirectory("hash");
        var file = directory.Combine("a.csv");
        File.WriteAllText(file, "x");
        File.WriteAllText(directory.Combine("cache.json"), json);

        var cache = FileHashCache.Load(directory.Combine("cache.json"));

        Assert.That(cache.Previous("/a"), Is.Null);
        Assert.That(cache.Get(file).Rehashed, Is.True);
    }

    /// <summary>An old file, hashed (read) once and saved in the cache: next time its stat vouches for it.</summary>
    private static (string File, string CachePath) SavedOldFile(TemporaryDirectory directory)
    {
        var file = directory.Combine("a.csv");
        File.WriteAllText(file, "x");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5));
        var cachePath = directory.Combine("cache.json");
        var first = FileHashCache.Load(cachePath);
        Assert.That(first.Get(file).Rehashed, Is.True);
        first.Save();
        return (file, cachePath);
    }
}
