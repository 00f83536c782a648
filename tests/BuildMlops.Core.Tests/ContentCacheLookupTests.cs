using BuildMlops.Cache;
using BuildMlops.HashData;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>Counting missing objects: one lookup each for a few, one listing per fan-out folder for many; the same answer.</summary>
[TestFixture]
public sealed class ContentCacheLookupTests
{
    [TestCase(3)]
    [TestCase(300)]
    public void GivenSomeObjectsMissing_WhenCounted_ThenExactlyThoseAreMissing(int count)
    {
        using var directory = new TemporaryDirectory("cache-lookup");
        var cache = new ContentCache(directory.Combine("cache"));
        var hashes = new List<ContentId>();
        for (var i = 0; i < count; i++)
        {
            var file = directory.Combine($"f{i}");
            File.WriteAllText(file, $"content {i}");
            var hash = ContentId.Sha256(ContentHash.OfFile(file));
            hashes.Add(hash);
            if (i % 3 != 0)
            {
                cache.Add(file, hash);
            }
        }

        // A directory named like an object is not one, as File.Exists would say too.
        var impostor = ContentId.Sha256(ContentHash.OfText("not an object"));
        Directory.CreateDirectory(cache.ObjectPath(impostor));
        hashes.Add(impostor);

        var expected = hashes.Count(hash => !cache.Contains(hash));
        Assert.That(expected, Is.EqualTo(((count + 2) / 3) + 1));
        Assert.That(cache.CountMissing(hashes), Is.EqualTo(expected));
    }

    [Test]
    public void GivenNoCacheAtAll_WhenManyAreCounted_ThenAllAreMissing()
    {
        using var directory = new TemporaryDirectory("cache-lookup");
        var cache = new ContentCache(directory.Combine("absent"));
        var hashes = Enumerable.Range(0, 100).Select(i => new ContentId(ContentHashAlgorithm.Blake3, ContentHash.OfText($"{i}", ContentHashAlgorithm.Blake3))).ToList();

        Assert.That(cache.CountMissing(hashes), Is.EqualTo(100));
    }
}
