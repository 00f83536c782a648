using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// The data-versioning scenario with a folder remote: add, commit, push, fresh clone, build. The clone's
/// build pulls the data and restores every step from the run cache, with the bytes a training gives.
/// </summary>
[TestFixture]
public sealed class DataVersioningTests
{
    [Test]
    public void GivenTrackedDataAndAPushedRunCacheOnAFolderRemote_WhenAFreshCloneBuilds_ThenDataIsPulledAndTheModelRestoredNotTrained()
    {
        using var repository = new GitRepository("data-e2e");
        Assert.That(repository.Mlops("remote", "add", "--default", "storage", repository.Scratch("remote")).ExitCode, Is.Zero);
        AddPushCloneBuild(repository);
    }

    [Test]
    public void GivenTrackedDataAndAPushedRunCacheOnS3_WhenAFreshCloneBuilds_ThenDataIsPulledAndTheModelRestoredNotTrained()
    {
        using var s3 = S3Server.Start();
        using var repository = new GitRepository("data-e2e-s3");
        repository.Environment["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey;
        repository.Environment["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey;
        var add = repository.Mlops("remote", "add", "--default", "storage", $"s3://{s3.Bucket}/team/churn", "-o", $"endpoint={s3.Endpoint}");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());

        AddPushCloneBuild(repository);

        var objects = Directory.GetFiles(Path.Combine(s3.DataDirectory, s3.Bucket), "*", SearchOption.AllDirectories);
        Assert.That(objects.Any(file => file.Contains("team/churn/runs/train/", StringComparison.Ordinal) || file.Contains(Path.Combine("team", "churn", "runs", "train"), StringComparison.Ordinal)), Is.True, "run records are on the bucket under the prefix");
    }

    private static void AddPushCloneBuild(GitRepository repository)
    {
        var project = repository.AddPipeline("churn", "wa_churn.csv");
        Assert.That(repository.Mlops("data", "add", "churn/data/wa_churn.csv").ExitCode, Is.Zero);
        var first = repository.Build(project);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.StandardOutput, Does.Contain("MlopsTrain: running because"));
        var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "mlops.lock.json"))).RootElement.GetProperty("stages").GetProperty("train").GetProperty("deps");
        Assert.That(deps.GetProperty("data:data/wa_churn.csv").GetString(), Is.EqualTo("blake3:" + B3Sum.Of(Path.Combine(project, "data", "wa_churn.csv"))), "the lock file records the pointer's hash, with its algorithm");
        var push = repository.Mlops("push", "--run-cache");
        Assert.That(push.ExitCode, Is.Zero, push.ToString());
        repository.CommitAll("track churn data");
        Assert.That(repository.Git("ls-files").StandardOutput, Does.Contain("churn/data/wa_churn.csv.mlops").And.Not.Contain("churn/data/wa_churn.csv\n"));

        var clone = repository.Clone("clone");
        var cloneProject = Path.Combine(clone.Root, "churn");
        Assert.That(File.Exists(Path.Combine(cloneProject, "data", "wa_churn.csv")), Is.False, "data is not in git");
        var status = clone.MlopsIn(cloneProject, "status", cloneProject);
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.StandardOutput, Does.Contain("MlopsTrain         would run: output bin/mlops/model.zip is missing"));
        Assert.That(File.Exists(Path.Combine(cloneProject, "data", "wa_churn.csv")), Is.False, "status changes nothing");
        var build = clone.Build(cloneProject);

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("MlopsHashData: hashed data/wa_churn.csv (checked out from the cache)"));
        Assert.That(build.StandardOutput, Does.Contain("MlopsTrain: restored from the run cache (remote 'storage', run"));
        Assert.That(build.StandardOutput, Does.Not.Contain("MlopsTrain: running because"));
        Assert.That(Sha256.Of(Path.Combine(cloneProject, "bin", "mlops", "model.zip")), Is.EqualTo(Sha256.Of(Path.Combine(project, "bin", "mlops", "model.zip"))));
        Assert.That(Sha256.Of(Path.Combine(cloneProject, "data", "wa_churn.csv")), Is.EqualTo(Sha256.Of(RepoLayout.PipelineData("churn", "wa_churn.csv"))));
        Assert.That(clone.Git("status", "--porcelain").StandardOutput, Is.Empty, "the build leaves the clone clean: lock unchanged, data ignored");
    }

    [Test]
    public void GivenADirectory_WhenAddedAndDeleted_ThenCheckoutRestoresEveryFileAndStatusTracksChanges()
    {
        using var repository = new GitRepository("data-dir");
        var images = Path.Combine(repository.Root, "images");
        Directory.CreateDirectory(Path.Combine(images, "nested"));
        File.WriteAllText(Path.Combine(images, "a.txt"), "alpha");
        File.WriteAllText(Path.Combine(images, "nested", "b.txt"), "beta");
        File.WriteAllText(Path.Combine(images, "c.txt"), "alpha");

        Assert.That(repository.Mlops("data", "add", "images").ExitCode, Is.Zero);
        var pointer = JsonDocument.Parse(File.ReadAllText(images + ".mlops")).RootElement;
        Assert.That(pointer.GetProperty("type").GetString(), Is.EqualTo("directory"));
        Assert.That(pointer.GetProperty("files").GetInt32(), Is.EqualTo(3));
        Assert.That(pointer.GetProperty("manifest").EnumerateArray().Select(entry => entry.GetProperty("path").GetString()), Is.EqualTo(new[] { "a.txt", "c.txt", "nested/b.txt" }));

        Directory.Delete(images, recursive: true);
        var missing = repository.Mlops("data", "status", "--json");
        Assert.That(JsonDocument.Parse(missing.StandardOutput).RootElement.GetProperty("result").GetProperty("tracked")[0].GetProperty("state").GetString(), Is.EqualTo("missing"));

        Assert.That(repository.Mlops("data", "checkout").ExitCode, Is.Zero);
        Assert.That(File.ReadAllText(Path.Combine(images, "nested", "b.txt")), Is.EqualTo("beta"));
        File.WriteAllText(Path.Combine(images, "a.txt"), "changed");
        var modified = repository.Mlops("data", "status", "--json");
        Assert.That(JsonDocument.Parse(modified.StandardOutput).RootElement.GetProperty("result").GetProperty("tracked")[0].GetProperty("state").GetString(), Is.EqualTo("modified"));
        var refused = repository.Mlops("data", "checkout");
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.StandardError, Does.Contain("error BM5009"));
        Assert.That(File.ReadAllText(Path.Combine(images, "a.txt")), Is.EqualTo("changed"), "nothing lost without --force");
        Assert.That(repository.Mlops("data", "checkout", "--force").ExitCode, Is.Zero);
        Assert.That(File.ReadAllText(Path.Combine(images, "a.txt")), Is.EqualTo("alpha"));
    }

    [Test]
    public void GivenAFreshCloneCheckedOut_WhenStatusRuns_ThenNoFileIsReadAgain()
    {
        using var repository = new GitRepository("stat-cache");
        var data = Path.Combine(repository.Root, "many");
        Directory.CreateDirectory(data);
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(Path.Combine(data, $"f{i:000}.csv"), $"a,b\n{i},{i * i}\n");
        }

        repository.Mlops("data", "add", "many");
        repository.Mlops("remote", "add", "--default", "storage", repository.Scratch("remote"));
        Assert.That(repository.Mlops("data", "push").ExitCode, Is.Zero);
        repository.CommitAll("many");
        var clone = repository.Clone("clone");
        Assert.That(clone.Mlops("data", "pull").ExitCode, Is.Zero);

        var status = clone.Mlops("data", "status", "--json");

        var result = JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("result");
        Assert.That(result.GetProperty("tracked")[0].GetProperty("state").GetString(), Is.EqualTo("uptodate"));
        Assert.That(result.GetProperty("files_hashed").GetInt32(), Is.Zero, "files the tool wrote on checkout are trusted by their stat");
        File.AppendAllText(Path.Combine(clone.Root, "many", "f007.csv"), "7,8\n");
        var changed = JsonDocument.Parse(clone.Mlops("data", "status", "--json").StandardOutput).RootElement.GetProperty("result");
        Assert.That(changed.GetProperty("files_hashed").GetInt32(), Is.EqualTo(1), "only the edited file is read");
        Assert.That(changed.GetProperty("tracked")[0].GetProperty("state").GetString(), Is.EqualTo("modified"));
    }

    [Test]
    public void GivenTheWorkspaceAndAnOldCommit_WhenCollectingGarbage_ThenOnlyUnreferencedObjectsGoAndAllCommitsKeepsHistory()
    {
        using var repository = new GitRepository("data-gc");
        var file = Path.Combine(repository.Root, "data.csv");
        File.WriteAllText(file, "v1");
        repository.Mlops("data", "add", "data.csv");
        repository.CommitAll("v1");
        File.WriteAllText(file, "v2");
        repository.Mlops("data", "add", "data.csv");
        repository.CommitAll("v2");

        var keepHistory = repository.Mlops("data", "gc", "--all-commits", "--json");
        Assert.That(JsonDocument.Parse(keepHistory.StandardOutput).RootElement.GetProperty("result").GetProperty("removed").GetInt32(), Is.Zero, keepHistory.ToString());

        var workspaceOnly = repository.Mlops("data", "gc", "--json");
        Assert.That(JsonDocument.Parse(workspaceOnly.StandardOutput).RootElement.GetProperty("result").GetProperty("removed").GetInt32(), Is.EqualTo(1));
        File.Delete(file);
        Assert.That(repository.Mlops("data", "checkout").ExitCode, Is.Zero);
        Assert.That(File.ReadAllText(file), Is.EqualTo("v2"));
    }
}
