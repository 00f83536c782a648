using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>Bad pointers, missing objects and unknown remotes: one BMnnnn error each, exit 1, nothing lost.</summary>
[TestFixture]
public sealed class DataBadInputTests
{
    [Test]
    public void GivenAMalformedPointer_WhenAProjectBuildsWithIt_ThenBM5001NamesThePointerFile()
    {
        using var repository = new GitRepository("bad-pointer");
        var project = repository.AddPipeline("concrete", "concrete.csv");
        Assert.That(repository.Mlops("data", "add", "concrete/data/concrete.csv").ExitCode, Is.Zero);
        var pointer = Path.Combine(project, "data", "concrete.csv.mlops");
        File.WriteAllText(pointer, File.ReadAllText(pointer).Replace("\"blake3\",", "\"md5\",", StringComparison.Ordinal));

        var build = repository.Build(project);

        Assert.That(build.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(build), Is.EqualTo(new[] { "BM5001" }), build.ToString());
        Assert.That(build.StandardOutput, Does.Contain(pointer + " : error BM5001: pointer file is malformed: it needs an algorithm ('sha256', 'blake3')"));
    }

    [Test]
    public void GivenAPointerToAPathOutsideTheRepository_WhenCheckedOut_ThenBM5002AndNothingIsWritten()
    {
        using var repository = new GitRepository("outside");
        File.WriteAllText(Path.Combine(repository.Root, "x.csv"), "a\n1\n");
        repository.Mlops("data", "add", "x.csv");
        var pointer = Path.Combine(repository.Root, "x.csv.mlops");
        File.WriteAllText(pointer, File.ReadAllText(pointer).Replace("\"path\": \"x.csv\"", "\"path\": \"../escaped.csv\"", StringComparison.Ordinal));

        var checkout = repository.Mlops("data", "checkout");

        Assert.That(checkout.ExitCode, Is.EqualTo(1));
        Assert.That(checkout.StandardError, Does.Contain("error BM5002: '" + Path.GetFullPath(Path.Combine(repository.Root, "..", "escaped.csv")) + "' is outside the repository"));
        Assert.That(File.Exists(Path.Combine(repository.Root, "..", "escaped.csv")), Is.False);
    }

    [Test]
    public void GivenDataOutsideTheRepository_WhenAdded_ThenBM5002()
    {
        using var repository = new GitRepository("add-outside");
        var outside = repository.Scratch("outside.csv");
        File.WriteAllText(outside, "a\n1\n");

        var add = repository.Mlops("data", "add", outside);

        Assert.That(add.ExitCode, Is.EqualTo(1));
        Assert.That(add.StandardError, Does.Contain("error BM5002"));
        Assert.That(File.Exists(outside + ".mlops"), Is.False);
    }

    [Test]
    public void GivenAnObjectTheRemoteLacks_WhenPulled_ThenBM5003SaysToPushIt()
    {
        using var repository = new GitRepository("missing-object");
        File.WriteAllText(Path.Combine(repository.Root, "x.csv"), "a\n1\n");
        repository.Mlops("data", "add", "x.csv");
        Directory.CreateDirectory(repository.Scratch("empty-remote"));
        repository.Mlops("remote", "add", "--default", "storage", repository.Scratch("empty-remote"));
        repository.CommitAll("pointer only; nothing pushed");
        var clone = repository.Clone("clone");

        var pull = clone.Mlops("data", "pull");

        Assert.That(pull.ExitCode, Is.EqualTo(1));
        Assert.That(pull.StandardError, Does.Contain("error BM5003: object ").And.Contain("is not on remote 'storage'").And.Contain("Push it from a machine that has it"));
    }

    [Test]
    public void GivenAnUnknownRemote_WhenPushing_ThenBM5007ListsTheRemotes()
    {
        using var repository = new GitRepository("unknown-remote");
        repository.Mlops("remote", "add", "storage", repository.Scratch("remote"));

        var push = repository.Mlops("push", "--remote", "elsewhere");

        Assert.That(push.ExitCode, Is.EqualTo(1));
        Assert.That(push.StandardError, Does.Contain("error BM5007: there is no remote named 'elsewhere' (remotes: storage)"));
    }

    [Test]
    public void GivenAnUnreachableDefaultRemote_WhenBuilt_ThenTheRunCacheIsSkippedWithAWarningAndTheStepRuns()
    {
        using var repository = new GitRepository("remote-down");
        var project = repository.AddPipeline("concrete", "concrete.csv");
        repository.Mlops("data", "add", "concrete/data/concrete.csv");
        var remote = repository.Scratch("unmounted-share");
        repository.Mlops("remote", "add", "--default", "storage", remote);

        var build = repository.Build(project);

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("warning BM5006: the run cache could not restore MlopsTrain, so it runs: remote 'storage' at " + remote + " does not exist"));
        Assert.That(build.StandardOutput, Does.Contain("MlopsTrain: running because"));
        Assert.That(Directory.Exists(remote), Is.False, "reading a remote never creates it");
    }

    [Test]
    public void GivenTrackedDataEditedWithoutAdd_WhenBuilt_ThenBM5009AndTheEditIsKept()
    {
        using var repository = new GitRepository("edited");
        var project = repository.AddPipeline("concrete", "concrete.csv");
        repository.Mlops("data", "add", "concrete/data/concrete.csv");
        var data = Path.Combine(project, "data", "concrete.csv");
        File.AppendAllText(data, "540,0,0,162,2.5,1040,676,28,80\n");

        var build = repository.Build(project);

        Assert.That(build.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(build), Is.EqualTo(new[] { "BM5009" }), build.ToString());
        Assert.That(File.ReadAllText(data), Does.EndWith("540,0,0,162,2.5,1040,676,28,80\n"));
    }
}
