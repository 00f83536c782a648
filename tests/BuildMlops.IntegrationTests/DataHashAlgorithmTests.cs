using System.Text;
using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Tracked data is named by BLAKE3, and every hash a pointer file records is the one the BLAKE3 team's
/// own b3sum computes. Data tracked with SHA-256 (by an earlier version, by choice, or by the
/// configuration) stays SHA-256, and both kinds live side by side in the cache and on remotes.
/// </summary>
[TestFixture]
public sealed class DataHashAlgorithmTests
{
    [Test]
    public void GivenAFileAndADirectory_WhenAdded_ThenTheirPointersNameBlake3WithTheHashesB3sumComputes()
    {
        using var repository = new GitRepository("blake3-add");
        var file = Path.Combine(repository.Root, "big.bin");
        // Past one 1 KiB chunk, several SIMD batches and the size where hashing splits across threads.
        File.WriteAllBytes(file, RandomBytes((9 << 20) + 1234, seed: 3));
        var folder = Path.Combine(repository.Root, "images");
        Directory.CreateDirectory(Path.Combine(folder, "b"));
        File.WriteAllBytes(Path.Combine(folder, "a.png"), RandomBytes(1024, seed: 4));
        File.WriteAllBytes(Path.Combine(folder, "b", "c.png"), RandomBytes(0, seed: 5));

        var add = repository.Mlops("data", "add", "big.bin", "images");

        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(add.StandardOutput, Does.Contain("blake3 " + B3Sum.Of(file)[..12]));
        var pointer = Pointer(file);
        Assert.That(pointer.GetProperty("algorithm").GetString(), Is.EqualTo("blake3"));
        Assert.That(pointer.GetProperty("hash").GetString(), Is.EqualTo(B3Sum.Of(file)));

        var directory = Pointer(folder);
        Assert.That(directory.GetProperty("algorithm").GetString(), Is.EqualTo("blake3"));
        var manifest = directory.GetProperty("manifest").EnumerateArray().ToList();
        Assert.That(manifest.Select(entry => entry.GetProperty("hash").GetString()), Is.EqualTo(new[] { B3Sum.Of(Path.Combine(folder, "a.png")), B3Sum.Of(Path.Combine(folder, "b", "c.png")) }));

        // The directory's hash is BLAKE3 of its manifest's "hash size path" lines, as docs/data.md says.
        var lines = string.Concat(manifest.Select(entry => $"{entry.GetProperty("hash").GetString()} {entry.GetProperty("size").GetInt64()} {entry.GetProperty("path").GetString()}\n"));
        var manifestText = repository.Scratch("manifest.txt");
        File.WriteAllText(manifestText, lines, new UTF8Encoding(false));
        Assert.That(directory.GetProperty("hash").GetString(), Is.EqualTo(B3Sum.Of(manifestText)));

        var objects = Path.Combine(repository.Root, ".mlops", "cache", "files", "blake3");
        Assert.That(File.Exists(Path.Combine(objects, B3Sum.Of(file)[..2], B3Sum.Of(file)[2..])), Is.True, "the object is named by its BLAKE3 hash");
        Assert.That(Directory.Exists(Path.Combine(repository.Root, ".mlops", "cache", "files", "sha256")), Is.False);
    }

    [Test]
    public void GivenDataTrackedWithSha256AndWithBlake3_WhenPushedClonedPulledAndAddedAgain_ThenEachKeepsItsAlgorithm()
    {
        using var repository = new GitRepository("mixed-hashes");
        var older = Path.Combine(repository.Root, "older.csv");
        var newer = Path.Combine(repository.Root, "newer.csv");
        File.WriteAllText(older, "a,b\n1,2\n");
        File.WriteAllText(newer, "a,b\n3,4\n");
        Assert.That(repository.Mlops("data", "add", "--hash", "sha256", "older.csv").ExitCode, Is.Zero);
        Assert.That(repository.Mlops("data", "add", "newer.csv").ExitCode, Is.Zero);
        Assert.That(Pointer(older).GetProperty("algorithm").GetString(), Is.EqualTo("sha256"));
        Assert.That(Pointer(older).GetProperty("hash").GetString(), Is.EqualTo(Sha256.Of(older)));
        var remote = repository.Scratch("remote");
        Assert.That(repository.Mlops("remote", "add", "--default", "storage", remote).ExitCode, Is.Zero);
        var push = repository.Mlops("data", "push");
        Assert.That(push.ExitCode, Is.Zero, push.ToString());
        repository.CommitAll("two kinds of pointer");
        Assert.That(File.Exists(Path.Combine(remote, "files", "sha256", Sha256.Of(older)[..2], Sha256.Of(older)[2..])), Is.True);
        Assert.That(File.Exists(Path.Combine(remote, "files", "blake3", B3Sum.Of(newer)[..2], B3Sum.Of(newer)[2..])), Is.True);

        var clone = repository.Clone("clone");
        var pull = clone.Mlops("data", "pull");
        Assert.That(pull.ExitCode, Is.Zero, pull.ToString());
        Assert.That(File.ReadAllText(Path.Combine(clone.Root, "older.csv")), Is.EqualTo("a,b\n1,2\n"));
        Assert.That(File.ReadAllText(Path.Combine(clone.Root, "newer.csv")), Is.EqualTo("a,b\n3,4\n"));
        var status = JsonDocument.Parse(clone.Mlops("data", "status", "--json").StandardOutput).RootElement.GetProperty("result");
        Assert.That(status.GetProperty("tracked").EnumerateArray().Select(entry => entry.GetProperty("state").GetString()), Is.All.EqualTo("uptodate"));
        var fsck = clone.Mlops("data", "fsck");
        Assert.That(fsck.ExitCode, Is.Zero, fsck.ToString());
        Assert.That(fsck.StandardOutput, Does.Contain("checked 2 objects: 0 corrupt"));

        // Adding new contents again keeps the algorithm the pointer already names.
        File.WriteAllText(Path.Combine(clone.Root, "older.csv"), "a,b\n5,6\n");
        Assert.That(clone.Mlops("data", "add", "older.csv").ExitCode, Is.Zero);
        Assert.That(Pointer(Path.Combine(clone.Root, "older.csv")).GetProperty("algorithm").GetString(), Is.EqualTo("sha256"));
        Assert.That(Pointer(Path.Combine(clone.Root, "older.csv")).GetProperty("hash").GetString(), Is.EqualTo(Sha256.Of(Path.Combine(clone.Root, "older.csv"))));

        // gc keeps what the workspace needs, of either kind, and drops the replaced SHA-256 object.
        var gc = JsonDocument.Parse(clone.Mlops("data", "gc", "--json").StandardOutput).RootElement.GetProperty("result");
        Assert.That(gc.GetProperty("removed").GetInt32(), Is.EqualTo(1));
        Assert.That(gc.GetProperty("kept").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public void GivenAFlippedBitInABlake3Object_WhenFsckRuns_ThenItIsReportedByItsAlgorithmAndHash()
    {
        using var repository = new GitRepository("blake3-fsck");
        var file = Path.Combine(repository.Root, "data.bin");
        File.WriteAllBytes(file, RandomBytes(5 << 20, seed: 9));
        Assert.That(repository.Mlops("data", "add", "data.bin").ExitCode, Is.Zero);
        var hash = B3Sum.Of(file);
        var cached = Path.Combine(repository.Root, ".mlops", "cache", "files", "blake3", hash[..2], hash[2..]);
        // Deep inside: a later chunk, hashed on the second thread.
        DataFaultTests.FlipBit(cached, offset: (4 << 20) + 77);

        var fsck = repository.Mlops("data", "fsck");

        Assert.That(fsck.ExitCode, Is.EqualTo(1), fsck.ToString());
        Assert.That(fsck.StandardError + fsck.StandardOutput, Does.Contain($"warning BM5008: object blake3:{hash[..12]} is corrupt"));
    }

    [Test]
    public void GivenTheConfigurationAsksForSha256_WhenDataIsAdded_ThenItIsSha256_AndAnUnknownAlgorithmIsBM5011AtItsLineWithNothingWritten()
    {
        using var repository = new GitRepository("hash-config");
        var file = Path.Combine(repository.Root, "data.csv");
        File.WriteAllText(file, "x\n1\n");
        Assert.That(repository.Mlops("remote", "add", "storage", repository.Scratch("remote")).ExitCode, Is.Zero, "creates .mlops/config.json");
        var config = Path.Combine(repository.Root, ".mlops", "config.json");
        File.WriteAllText(config, "{\n  \"hash\": \"sha256\"," + File.ReadAllText(config).TrimStart()[1..]);

        Assert.That(repository.Mlops("data", "add", "data.csv").ExitCode, Is.Zero);
        Assert.That(Pointer(file).GetProperty("algorithm").GetString(), Is.EqualTo("sha256"));

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"sha256\"", "\"md5\"", StringComparison.Ordinal));
        var other = Path.Combine(repository.Root, "other.csv");
        File.WriteAllText(other, "y\n2\n");
        var add = repository.Mlops("data", "add", "other.csv");

        Assert.That(add.ExitCode, Is.Not.Zero);
        Assert.That(add.StandardError, Does.Contain(config).And.Contain("error BM5011").And.Contain("\"hash\": \"md5\" is not a hash algorithm BuildMlops knows").And.Contain("'blake3'"));
        Assert.That(File.Exists(other + ".mlops"), Is.False, "nothing is written");
        Assert.That(add.StandardError, Does.Contain(config + "(2"), "the line of \"hash\"");
        var status = repository.Mlops("data", "status");
        Assert.That(status.ExitCode, Is.Not.Zero, "every command reads the configuration, not only add");
        Assert.That(status.StandardError, Does.Contain("error BM5011"));
    }

    private static JsonElement Pointer(string data) => JsonDocument.Parse(File.ReadAllText(data + ".mlops")).RootElement;

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
