using BuildMlops.IO;
using BuildMlops.Remotes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class FolderRemoteTests
{
    [Test]
    public async Task GivenLeftoversOfAKilledPushAndOfOneStillRunning_WhenAnObjectIsPushedIntoTheirFolder_ThenOnlyTheDeadOneIsRemoved()
    {
        using var directory = new TemporaryDirectory("folder-remote");
        var root = directory.Combine("remote");
        var key = "files/blake3/ab/" + new string('c', 62);
        var folder = Path.Combine(root, "files", "blake3", "ab");
        Directory.CreateDirectory(folder);
        var dead = AtomicFile.TemporaryPathFor(Path.Combine(folder, new string('d', 62)));
        var running = AtomicFile.TemporaryPathFor(Path.Combine(folder, new string('e', 62)));
        var unrelated = Path.Combine(folder, ".notes.tmp");
        foreach (var file in new[] { dead, running, unrelated })
        {
            File.WriteAllText(file, "partial");
        }

        File.SetLastWriteTimeUtc(dead, DateTime.UtcNow - FolderRemote.StaleAfter - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(unrelated, DateTime.UtcNow - TimeSpan.FromDays(2));
        var source = directory.Combine("object");
        File.WriteAllText(source, "the object");

        using var remote = new FolderRemote("storage", root);
        await remote.UploadAsync(key, source, CancellationToken.None);

        Assert.That(File.ReadAllText(Path.Combine(folder, new string('c', 62))), Is.EqualTo("the object"));
        Assert.That(File.Exists(dead), Is.False, "untouched for over an hour: a killed push");
        Assert.That(File.Exists(running), Is.True, "written a moment ago: another machine may be pushing it now");
        Assert.That(File.Exists(unrelated), Is.True, "not named as BuildMlops names its temporaries");
    }
}
