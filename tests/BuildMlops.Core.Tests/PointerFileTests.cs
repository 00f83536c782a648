using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Pointers;
using BuildMlops.Repository;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>Pointer files are checked before anything is read or written through them.</summary>
[TestFixture]
public sealed class PointerFileTests
{
    [TestCase("../escaped.csv", "BM5001")]
    [TestCase("nested/../../escaped.csv", "BM5001")]
    [TestCase("/etc/passwd", "BM5001")]
    [TestCase("fine.csv", null)]
    public void GivenADirectoryManifestEntry_WhenLoaded_ThenOnlyPathsInsideTheDirectoryAreAccepted(string entryPath, string? code)
    {
        using var directory = new TemporaryDirectory("pointer");
        Directory.CreateDirectory(directory.Combine(".mlops"));
        var manifest = new List<ManifestEntry> { new() { Path = entryPath, Hash = new string('a', 64), Size = 1 } };
        var pointerPath = directory.Combine("data.mlops");
        new PointerFile { Path = "data", Type = "directory", Hash = PointerFile.ManifestHash(manifest, ContentHashAlgorithm.Sha256), Size = 1, Files = 1, Manifest = manifest }.Save(pointerPath);
        var repository = MlopsRepository.Open(directory.Path);

        if (code is null)
        {
            Assert.That(PointerFile.Load(pointerPath, repository).Manifest!.Single().Path, Is.EqualTo(entryPath));
        }
        else
        {
            Assert.That(Assert.Throws<MlopsException>(() => PointerFile.Load(pointerPath, repository))!.Code, Is.EqualTo(code));
        }
    }

    [Test]
    public void GivenAnEditedManifest_WhenLoaded_ThenTheHashMismatchIsBM5001()
    {
        using var directory = new TemporaryDirectory("pointer");
        var manifest = new List<ManifestEntry> { new() { Path = "a.csv", Hash = new string('b', 64), Size = 1 } };
        var pointerPath = directory.Combine("data.mlops");
        new PointerFile { Path = "data", Type = "directory", Hash = new string('c', 64), Size = 1, Files = 1, Manifest = manifest }.Save(pointerPath);

        var error = Assert.Throws<MlopsException>(() => PointerFile.Load(pointerPath, MlopsRepository.Open(directory.Path)))!;

        Assert.That(error.Message, Is.EqualTo("pointer file is malformed: its hash does not match its manifest (was it edited by hand?)"));
    }

    [Test]
    public void GivenADirectoryPointerCheckedOnce_WhenLoadedAgainUnchanged_ThenTheStatCacheVouches_AndAnEditIsStillBM5001()
    {
        using var directory = new TemporaryDirectory("pointer");
        var manifest = new List<ManifestEntry> { new() { Path = "a.csv", Hash = new string('b', 64), Size = 1 } };
        var pointerPath = directory.Combine("data.mlops");
        new PointerFile { Path = "data", Type = "directory", Algorithm = "blake3", Hash = PointerFile.ManifestHash(manifest, ContentHashAlgorithm.Blake3), Size = 1, Files = 1, Manifest = manifest }.Save(pointerPath);
        // Old enough that the stat cache trusts it (a file written in the tick it was checked is checked again).
        File.SetLastWriteTimeUtc(pointerPath, DateTime.UtcNow.AddMinutes(-1));
        var repository = MlopsRepository.Open(directory.Path);
        var cachePath = directory.Combine("hash-cache.json");
        var first = FileHashCache.Load(cachePath);
        PointerFile.Load(pointerPath, repository, first);
        first.Save();

        var fact = $"checked-pointer:blake3:{PointerFile.ManifestHash(manifest, ContentHashAlgorithm.Blake3)}";
        Assert.That(FileHashCache.Load(cachePath).Vouches(pointerPath, fact), Is.True);

        // The same length, one hex digit changed: a hand edit the manifest hash no longer matches.
        File.WriteAllText(pointerPath, File.ReadAllText(pointerPath).Replace(new string('b', 64), "c" + new string('b', 63), StringComparison.Ordinal));
        var edited = FileHashCache.Load(cachePath);

        Assert.That(edited.Vouches(pointerPath, fact), Is.False, "an edit changes the pointer's stat");
        Assert.That(Assert.Throws<MlopsException>(() => PointerFile.Load(pointerPath, repository, edited))!.Code, Is.EqualTo(ErrorCodes.MalformedPointer));
    }

    [Test]
    public void GivenAPointerSavedByAnEditorWithAByteOrderMark_WhenLoaded_ThenItReadsAsWithout()
    {
        using var directory = new TemporaryDirectory("pointer");
        var pointerPath = directory.Combine("data.csv.mlops");
        new PointerFile { Path = "data.csv", Hash = new string('d', 64), Size = 3 }.Save(pointerPath);
        File.WriteAllBytes(pointerPath, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(pointerPath)]);

        var pointer = PointerFile.Load(pointerPath, MlopsRepository.Open(directory.Path));

        Assert.That((pointer.Path, pointer.Hash, pointer.Size), Is.EqualTo(("data.csv", new string('d', 64), 3L)));
    }
}
