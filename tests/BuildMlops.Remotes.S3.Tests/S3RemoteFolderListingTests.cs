using BuildMlops.Cache;
using BuildMlops.DataVersioning;
using BuildMlops.HashData;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>Which objects a push must send is found by listing fan-out folders, never the whole remote.</summary>
[TestFixture]
public sealed class S3RemoteFolderListingTests
{
    private const string Folder = "files/sha256/ab/";

    private static S3Server Server => S3ServerSetUp.Server;

    [TestCase(1000, TestName = "GivenKeysOfOneFolder_WhenAskedWhichExist_ThenOneListingFindsExactlyThePresentOnes")]
    [TestCase(2, TestName = "GivenKeysOfOneFolderAndPagesOfTwo_WhenAskedWhichExist_ThenPagingFindsExactlyThePresentOnes")]
    public async Task FindsThePresentKeys(int pageSize)
    {
        using var directory = new TemporaryDirectory("s3-list");
        var settings = TestData.Settings(Server);
        using var remote = new S3Remote("storage", S3RemoteOptions.FromSettings("storage", settings) with { ListPageSize = pageSize });
        var file = TestData.RandomFile(directory, "a.bin", 10);
        var present = Enumerable.Range(0, 12).Select(index => $"{Folder}{index:x2}{new string('c', 60)}").ToList();
        foreach (var key in present)
        {
            await remote.UploadAsync(key, file, CancellationToken.None);
        }

        // A neighbouring folder with the same names is not this one.
        await remote.UploadAsync($"files/sha256/ac/{present[0][Folder.Length..]}", file, CancellationToken.None);
        var absent = new[] { $"{Folder}00{new string('b', 60)}", $"{Folder}05{new string('d', 60)}", $"{Folder}ff{new string('c', 60)}" };
        var asked = present.Where((_, index) => index % 3 != 1).Concat(absent).ToList();

        var found = await remote.FindExistingAsync(asked, CancellationToken.None);

        Assert.That(found, Is.EquivalentTo(present.Where((_, index) => index % 3 != 1)));
    }

    [Test]
    public async Task GivenAFolderThatHoldsNothing_WhenAskedWhichOfSomeKeysExist_ThenNone_AndFewerKeysThanTheMinimumAreLeftToHeads()
    {
        using var remote = TestData.Remote(Server);

        var none = await remote.FindExistingAsync([$"{Folder}{new string('1', 62)}", $"{Folder}{new string('2', 62)}"], CancellationToken.None);
        var one = await remote.FindExistingAsync([$"{Folder}{new string('1', 62)}"], CancellationToken.None);

        Assert.That(none, Is.Empty);
        Assert.That(one, Is.Null, "one key: a HEAD is as cheap as a listing");
    }

    [Test]
    public async Task GivenHalfTheObjectsAlreadyOnTheRemote_WhenPushed_ThenThePresentOnesAreSkippedAndTheMissingOnesUploaded()
    {
        using var directory = new TemporaryDirectory("s3-list");
        var cache = new ContentCache(directory.Combine("cache"));
        var objects = Enumerable.Range(0, 300)
            .Select(index => cache.Add(TestData.RandomFile(directory, $"f{index}.bin", 64 + index, seed: 100 + index)))
            .Select(hash => (Id: ContentId.Sha256(hash), Size: new FileInfo(cache.ObjectPath(hash)).Length))
            .ToList();
        using var remote = TestData.Remote(Server);
        var already = objects.Where((_, index) => index % 2 == 0).ToList();
        foreach (var item in already)
        {
            await remote.UploadAsync(RemoteKeys.Object(item.Id), cache.ObjectPath(item.Id), CancellationToken.None);
        }

        Assert.That(objects.GroupBy(item => RemoteKeys.ObjectFolder(item.Id)).Count(folder => folder.Count() >= 2), Is.GreaterThan(10), "enough folders to be listed rather than asked about key by key");

        var summary = await new DataTransfer(cache, remote, new SilentLog(), jobs: 4).PushAsync(objects, CancellationToken.None);

        Assert.That(summary.Skipped, Is.EqualTo(already.Count));
        Assert.That(summary.Transferred, Is.EqualTo(objects.Count - already.Count));
        foreach (var item in objects)
        {
            Assert.That(await remote.ExistsAsync(RemoteKeys.Object(item.Id), CancellationToken.None), Is.True, item.Id.Reference);
        }
    }
}
