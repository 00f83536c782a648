using System.Diagnostics;
using System.Security.Cryptography;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Faults: processes killed mid-way, flipped bits, corrupt remote objects, concurrent builds. Nothing
/// corrupt is ever left under an object's name, nothing corrupt is ever used, and running again completes.
/// </summary>
[TestFixture]
public sealed class DataFaultTests
{
    [Test]
    public void GivenAPushKilledMidTransfer_WhenRunAgain_ThenNoRemoteObjectIsCorruptAndThePushCompletes()
    {
        using var repository = new GitRepository("kill-push");
        WriteRandomFiles(Path.Combine(repository.Root, "blobs"), count: 6, size: 48 << 20);
        Assert.That(repository.Mlops("data", "add", "blobs").ExitCode, Is.Zero);
        var remote = repository.Scratch("remote");
        Assert.That(repository.Mlops("remote", "add", "--default", "storage", remote).ExitCode, Is.Zero);

        foreach (var delay in new[] { 150, 400, 900 })
        {
            KillAfter(repository.Root, delay, [RepoLayout.MlopsDll, "data", "push", "--jobs", "2"]);
            AssertEveryObjectIntact(Path.Combine(remote, "files"));
        }

        var push = repository.Mlops("data", "push");
        Assert.That(push.ExitCode, Is.Zero, push.ToString());
        AssertEveryObjectIntact(Path.Combine(remote, "files"));
        Assert.That(Directory.GetFiles(Path.Combine(remote, "files"), "*", SearchOption.AllDirectories).Count(file => !Path.GetFileName(file).StartsWith('.')), Is.EqualTo(6));
    }

    [Test]
    public void GivenAnAddKilledMidWay_WhenRunAgain_ThenTheCacheHoldsOnlyIntactObjectsAndTheAddCompletes()
    {
        using var repository = new GitRepository("kill-add");
        WriteRandomFiles(Path.Combine(repository.Root, "blobs"), count: 8, size: 32 << 20);

        KillAfter(repository.Root, 300, [RepoLayout.MlopsDll, "data", "add", "blobs"]);
        AssertEveryObjectIntact(Path.Combine(repository.Root, ".mlops", "cache", "files"));

        var add = repository.Mlops("data", "add", "blobs");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(repository.Mlops("data", "fsck").ExitCode, Is.Zero);
    }

    [Test]
    public void GivenAPullKilledMidTransfer_WhenRunAgain_ThenTheDataArrivesIntact()
    {
        using var repository = new GitRepository("kill-pull");
        WriteRandomFiles(Path.Combine(repository.Root, "blobs"), count: 6, size: 48 << 20);
        repository.Mlops("data", "add", "blobs");
        repository.Mlops("remote", "add", "--default", "storage", repository.Scratch("remote"));
        Assert.That(repository.Mlops("data", "push").ExitCode, Is.Zero);
        repository.CommitAll("blobs");
        var clone = repository.Clone("clone");

        KillAfter(clone.Root, 400, [RepoLayout.MlopsDll, "data", "pull", "--jobs", "2"]);
        AssertEveryObjectIntact(Path.Combine(clone.Root, ".mlops", "cache", "files"));

        var pull = clone.Mlops("data", "pull");
        Assert.That(pull.ExitCode, Is.Zero, pull.ToString());
        Assert.That(clone.Mlops("data", "gc").ExitCode, Is.Zero);
        Assert.That(Directory.GetFiles(Path.Combine(clone.Root, ".mlops", "cache", "tmp")), Is.Empty, "gc removes what killed transfers left");
        foreach (var file in Directory.GetFiles(Path.Combine(repository.Root, "blobs")))
        {
            Assert.That(Sha256.Of(Path.Combine(clone.Root, "blobs", Path.GetFileName(file))), Is.EqualTo(Sha256.Of(file)));
        }
    }

    [Test]
    public void GivenACheckoutKilledBeforeItsRename_WhenCheckedOutAgain_ThenTheLeftoverIsNotTakenForAChange_AndIsRemoved()
    {
        // What a kill between a checkout's write and its rename leaves, made on purpose (the kill test above may
        // land there or not, depending on timing): a missing file, and a temporary file beside where it goes.
        using var repository = new GitRepository("kill-checkout");
        WriteRandomFiles(Path.Combine(repository.Root, "blobs"), count: 3, size: 1 << 20);
        Assert.That(repository.Mlops("data", "add", "blobs").ExitCode, Is.Zero);
        var victim = Directory.GetFiles(Path.Combine(repository.Root, "blobs")).Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(victim);
        File.Delete(victim);
        var leftover = BuildMlops.IO.AtomicFile.TemporaryPathFor(victim);
        File.WriteAllBytes(leftover, bytes[..(bytes.Length / 2)]);

        var status = repository.Mlops("data", "status", "--json");
        var checkout = repository.Mlops("data", "checkout");

        Assert.That(status.StandardOutput, Does.Contain("\"state\": \"missing\"").And.Not.Contain("modified"), status.ToString());
        Assert.That(checkout.ExitCode, Is.Zero, checkout.ToString());
        Assert.That(File.ReadAllBytes(victim), Is.EqualTo(bytes));
        Assert.That(File.Exists(leftover), Is.False, "the checkout removes what a killed one left");
    }

    [Test]
    public void GivenAFlippedBitInACacheObject_WhenUsed_ThenItIsDetectedQuarantinedAndFetchedAgain()
    {
        using var repository = new GitRepository("bitflip");
        var data = Path.Combine(repository.Root, "data.bin");
        File.WriteAllBytes(data, RandomBytes(1 << 20, seed: 7));
        repository.Mlops("data", "add", "data.bin");
        repository.Mlops("remote", "add", "--default", "storage", repository.Scratch("remote"));
        repository.Mlops("data", "push");
        var hash = B3Sum.Of(data);
        var cached = Path.Combine(repository.Root, ".mlops", "cache", "files", "blake3", hash[..2], hash[2..]);
        FlipBit(cached, offset: 12345);
        File.Delete(data);

        var checkout = repository.Mlops("data", "checkout");
        Assert.That(checkout.ExitCode, Is.EqualTo(1));
        Assert.That(checkout.StandardError, Does.Contain("error BM5008: cache object blake3:" + hash[..12] + " is corrupt"));
        Assert.That(File.Exists(data), Is.False, "a corrupt object never reaches the workspace");
        Assert.That(File.Exists(cached), Is.False, "it is moved to quarantine");

        var pull = repository.Mlops("data", "pull");
        Assert.That(pull.ExitCode, Is.Zero, pull.ToString());
        Assert.That(B3Sum.Of(data), Is.EqualTo(hash));
    }

    [Test]
    public void GivenACorruptObjectOnTheRemote_WhenPulled_ThenItIsNotUsedAndTheNextPushReplacesIt()
    {
        using var repository = new GitRepository("remote-corrupt");
        var data = Path.Combine(repository.Root, "data.bin");
        File.WriteAllBytes(data, RandomBytes(1 << 20, seed: 8));
        repository.Mlops("data", "add", "data.bin");
        var remote = repository.Scratch("remote");
        repository.Mlops("remote", "add", "--default", "storage", remote);
        repository.Mlops("data", "push");
        repository.CommitAll("data");
        var hash = B3Sum.Of(data);
        var remoteObject = Path.Combine(remote, "files", "blake3", hash[..2], hash[2..]);
        FlipBit(remoteObject, offset: 99);
        var clone = repository.Clone("clone");

        var pull = clone.Mlops("data", "pull");

        Assert.That(pull.ExitCode, Is.EqualTo(1));
        Assert.That(pull.StandardError, Does.Contain("error BM5004: object blake3:" + hash[..12] + " on remote 'storage' is corrupt"));
        Assert.That(File.Exists(Path.Combine(clone.Root, "data.bin")), Is.False);
        Assert.That(File.Exists(remoteObject), Is.False, "deleted, so that a push replaces it");
        Assert.That(repository.Mlops("data", "push").ExitCode, Is.Zero);
        Assert.That(clone.Mlops("data", "pull").ExitCode, Is.Zero);
        Assert.That(B3Sum.Of(Path.Combine(clone.Root, "data.bin")), Is.EqualTo(hash));
    }

    [Test]
    public void GivenTwoBuildsOfOneProjectAtOnce_WhenBothRun_ThenBothSucceedAndTheModelIsTrainedOnce()
    {
        using var repository = new GitRepository("concurrent");
        var project = repository.AddPipeline("concrete", "concrete.csv");
        repository.Mlops("data", "add", "concrete/data/concrete.csv");

        var builds = new[] { "-p:MlopsRunCache=false", "-p:MlopsRunCache=false" }
            .Select(argument => Task.Run(() => repository.Build(project, argument)))
            .ToArray();
        Task.WaitAll(builds);

        Assert.That(builds.Select(build => build.Result.ExitCode), Is.All.Zero, string.Join("\n", builds.Select(build => build.Result.ToString())));
        Assert.That(builds.Count(build => build.Result.StandardOutput.Contains("MlopsTrain: running because", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(builds.Count(build => build.Result.StandardOutput.Contains("MlopsTrain: up to date", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void GivenTwoPushesAndAPullAtOnceOnOneCache_WhenTheyRun_ThenAllSucceedAndEveryObjectIsIntact()
    {
        using var repository = new GitRepository("concurrent-push");
        WriteRandomFiles(Path.Combine(repository.Root, "blobs"), count: 20, size: 2 << 20);
        repository.Mlops("data", "add", "blobs");
        var remote = repository.Scratch("remote");
        repository.Mlops("remote", "add", "--default", "storage", remote);

        var runs = new[] { new[] { "data", "push", "--jobs", "4" }, ["data", "push", "--jobs", "4"], ["data", "pull"] }
            .Select(arguments => Task.Run(() => repository.Mlops(arguments)))
            .ToArray();
        Task.WaitAll(runs);

        Assert.That(runs.Select(run => run.Result.ExitCode), Is.All.Zero, string.Join("\n", runs.Select(run => run.Result.ToString())));
        AssertEveryObjectIntact(Path.Combine(remote, "files"));
        Assert.That(Directory.GetFiles(Path.Combine(remote, "files"), "*", SearchOption.AllDirectories).Count(file => !Path.GetFileName(file).StartsWith('.')), Is.EqualTo(20));
    }

    [Test]
    public void GivenABuildKilledWhileTraining_WhenBuiltAgain_ThenNoHalfModelIsLeftAndTheBuildCompletes()
    {
        using var repository = new GitRepository("kill-build");
        var project = repository.AddPipeline("churn", "wa_churn.csv");
        repository.Mlops("data", "add", "churn/data/wa_churn.csv");
        Assert.That(repository.Build(project, "-t:MlopsValidateData").ExitCode, Is.Zero);

        KillAfter(project, 2500, ["build", "-nodeReuse:false", "-tl:off", "-p:MlopsHyperparameterDummy=1", "-t:MlopsTrain"]);
        var outputs = Path.Combine(project, "bin", "mlops");
        Assert.That(Directory.GetFiles(outputs).Select(Path.GetFileName), Is.SubsetOf(new[] { "schema.json", "model.zip" }), "temporary files are never named like outputs");
        if (File.Exists(Path.Combine(outputs, "model.zip")))
        {
            Assert.That(() => new System.IO.Compression.ZipArchive(File.OpenRead(Path.Combine(outputs, "model.zip"))).Entries.Count, Is.GreaterThan(0), "a model.zip that exists is whole");
        }

        var build = repository.Build(project);
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("MlopsGate: done"));
    }

    private static void KillAfter(string workingDirectory, int milliseconds, IEnumerable<string> dotnetArguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var argument in dotnetArguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(milliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Every file named like an object holds bytes that hash to its name, by its folder's algorithm (checked by sha256 and b3sum).</summary>
    private static void AssertEveryObjectIntact(string filesRoot)
    {
        if (!Directory.Exists(filesRoot))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(filesRoot, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file)!) + Path.GetFileName(file);
            if (name.Length == 64 && !Path.GetFileName(file).StartsWith('.'))
            {
                var algorithm = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(file))!);
                Assert.That(algorithm == "blake3" ? B3Sum.Of(file) : Sha256.Of(file), Is.EqualTo(name), file);
            }
        }
    }

    private static void WriteRandomFiles(string directory, int count, int size)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(directory, $"blob{i}.bin"), RandomBytes(size, seed: i));
        }
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static void FlipBit(string path, int offset)
    {
        // Cache objects are read-only; a real bit flip needs no permission, this test does.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }
}
