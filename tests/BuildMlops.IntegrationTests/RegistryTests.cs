using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// The model registry end to end: the churn pipeline built for real in a git repository, three times
/// (seed 42; seed 7; seed 7 with a gate it fails), and each build's outputs registered with
/// <c>mlops registry</c> into a folder remote and into S3 (s3rver). The builds run once for the fixture;
/// each test puts the outputs of the build it needs back in place.
/// </summary>
[TestFixture]
public sealed class RegistryTests
{
    private const string Seed42 = "seed42";
    private const string Seed7 = "seed7";
    private const string GateFails = "gate-fails";

    private GitRepository _repository = null!;
    private string _project = null!;

    [OneTimeSetUp]
    public void BuildOnce()
    {
        _repository = new GitRepository("registry-e2e");
        _project = _repository.AddPipeline("churn", "wa_churn.csv");
        Assert.That(_repository.Mlops("data", "add", "churn/data/wa_churn.csv").ExitCode, Is.Zero);
        Build();
        _repository.CommitAll("churn, its data tracked");
        Save(Seed42);
        Build("-p:MlopsSeed=7");
        Save(Seed7);

        var projectFile = Path.Combine(_project, "churn.csproj");
        var original = File.ReadAllText(projectFile);
        File.WriteAllText(projectFile, original.Replace("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"auc\" Min=\"0.99\" />", StringComparison.Ordinal));
        var failing = _repository.Build(_project, "-p:MlopsSeed=7");
        Assert.That(failing.StandardOutput, Does.Contain("error BM2001: gate failed: auc"), failing.ToString());
        Save(GateFails);
        File.WriteAllText(projectFile, original);
    }

    [OneTimeTearDown]
    public void CleanUp() => _repository.Dispose();

    [Test]
    public void GivenBuildsRegisteredInAFolderRemote_WhenPromotedForcedAndRolledBack_ThenVersionsAliasesAndHistoryAreRightAndBadInputIsRefused()
    {
        UseRemote("folder", _repository.Scratch("folder-remote"));
        Restore(Seed42);
        _repository.CommitAll("the registry's remote");
        var head = _repository.Git("rev-parse", "HEAD").StandardOutput.Trim();

        var first = Json(Registry("register", "churn", "--json"));
        var again = Json(Registry("register", "churn", "--json"));
        Restore(Seed7);
        var second = Json(Registry("register", "churn", "--json"));
        Restore(GateFails);
        var failing = Json(Registry("register", "churn", "--json"));

        Assert.That((first.GetProperty("version").GetInt32(), first.GetProperty("created").GetBoolean()), Is.EqualTo((1, true)));
        Assert.That((again.GetProperty("version").GetInt32(), again.GetProperty("created").GetBoolean()), Is.EqualTo((1, false)), "the same bytes are the same version");
        Assert.That(second.GetProperty("version").GetInt32(), Is.EqualTo(2));
        Assert.That((failing.GetProperty("version").GetInt32(), failing.GetProperty("gates_passed").GetBoolean()), Is.EqualTo((3, false)));
        Assert.That(second.GetProperty("model_sha256").GetString(), Is.Not.EqualTo(first.GetProperty("model_sha256").GetString()), "seed 7 trains another model");

        var v1 = Json(Registry("show", "churn", "1", "--json"));
        Assert.That(v1.GetProperty("git_commit").GetString(), Is.EqualTo(head));
        Assert.That(v1.GetProperty("git_dirty").GetBoolean(), Is.False, "version 1 was built from the committed tree");
        Assert.That(Json(Registry("show", "churn", "2", "--json")).GetProperty("git_dirty").GetBoolean(), Is.True, "seed 7 rewrote the committed lock file");
        Assert.That(v1.GetProperty("lineage").GetProperty("parameters").GetProperty("MlopsSeed").GetString(), Is.EqualTo("42"));
        Assert.That(v1.GetProperty("lineage").GetProperty("data")[0].GetProperty("size").GetInt64(), Is.EqualTo(975_663));
        Assert.That(v1.GetProperty("model_sha256").GetString(), Is.EqualTo(Sha256.Of(Path.Combine(_repository.Scratch(Seed42), "model.zip"))));
        var card = Registry("show", "churn", "1", "--card");
        Assert.That(card.StandardOutput, Does.Contain("# Model card: churn, version 1").And.Contain("## Confusion matrix (test split, 1,409 rows)").And.Contain("| total_charges | 11 |"));

        Assert.That(Registry("promote", "churn", "1", "production", "--reason", "first release").ExitCode, Is.Zero);
        Assert.That(Registry("promote", "churn", "2", "production", "--reason", "seed 7").ExitCode, Is.Zero);
        var refused = Registry("promote", "churn", "3", "production", "--reason", "try it");
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.StandardError, Does.Contain("error BM8005: version 3 of churn failed its gates (auc"));
        Assert.That(Json(Registry("show", "churn", "production", "--json")).GetProperty("version").GetInt32(), Is.EqualTo(2), "a refused promotion moves nothing");
        var forced = Json(Registry("promote", "churn", "3", "production", "--force", "--reason", "outage hotfix", "--json"));
        Assert.That(forced.GetProperty("event").GetProperty("forced").GetBoolean(), Is.True);
        var rollback = Json(Registry("rollback", "churn", "production", "--reason", "hotfix regressed", "--json"));
        Assert.That((rollback.GetProperty("from").GetInt32(), rollback.GetProperty("to").GetInt32()), Is.EqualTo((3, 2)));

        var history = Json(Registry("history", "churn", "--json")).GetProperty("events").EnumerateArray().ToList();
        Assert.That(history.Select(e => (e.GetProperty("action").GetString(), e.GetProperty("from").ValueKind == JsonValueKind.Null ? 0 : e.GetProperty("from").GetInt32(), e.GetProperty("to").GetInt32(), e.GetProperty("why").GetString())), Is.EqualTo(new[]
        {
            ("promote", 0, 1, "first release"),
            ("promote", 1, 2, "seed 7"),
            ("promote", 2, 3, "outage hotfix"),
            ("rollback", 3, 2, "hotfix regressed"),
        }));
        Assert.That(history.Select(e => e.GetProperty("who").GetString()), Has.All.EqualTo("BuildMlops tests <tests@buildmlops.dev>"));
        Assert.That(history.Select(e => e.GetProperty("when").GetString()), Has.All.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        Assert.That(history.Select(e => e.GetProperty("applied").GetBoolean()), Has.All.True);
        Assert.That(Registry("history", "churn").StandardOutput, Does.Contain("production\t2 -> 3\tpromote\tBuildMlops tests <tests@buildmlops.dev>\toutage hotfix [forced past failed gates]"));

        // Bad input: a clear code each, and the registry as it was.
        var remote = _repository.Scratch("folder-remote");
        var before = Snapshot(remote);
        Assert.That(Code(Registry("show", "churn", "9")), Is.EqualTo("BM8002"));
        Assert.That(Code(Registry("show", "credit")), Is.EqualTo("BM8001"));
        Assert.That(Code(Registry("promote", "churn", "9", "production", "--reason", "x")), Is.EqualTo("BM8002"));
        Assert.That(Code(Registry("rollback", "churn", "staging", "--reason", "x")), Is.EqualTo("BM8003"));
        Assert.That(Snapshot(remote), Is.EqualTo(before), "nothing changed");

        var versionJson = Path.Combine(remote, "registry", "churn", "versions", "000001", "version.json");
        File.WriteAllText(versionJson, File.ReadAllText(versionJson)[..120]);
        var modelZip = Path.Combine(remote, "registry", "churn", "versions", "000002", "model.zip");
        File.AppendAllText(modelZip, "tampered");
        Assert.That(Code(Registry("show", "churn", "1")), Is.EqualTo("BM8004"));
        var download = Registry("download", "churn", "2", "-o", _repository.Scratch("download"));
        Assert.That(Code(download), Is.EqualTo("BM8004"));
        Assert.That(download.StandardError, Does.Contain("model.zip of churn version 2 does not hash as recorded"));
    }

    [Test]
    public void GivenTwoRegisterProcessesOfOneModelAtOnce_WhenBothFinish_ThenTheyHoldDistinctVersionsAndBothAreComplete()
    {
        UseRemote("race", _repository.Scratch("race-remote"));
        var twin = Path.Combine(_repository.Root, "churn-twin");
        CopyDirectory(_project, twin);
        Restore(Seed42);
        Restore(Seed7, twin);

        ProcessResult[] racers;
        try
        {
            var running = new[] { _project, twin }.Select(project => Task.Run(() => _repository.Mlops("registry", "register", project, "--name", "racer", "--json"))).ToArray();
            racers = Task.WhenAll(running).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(twin, recursive: true); // the other tests expect the work tree as committed
        }

        var versions = racers.Select(racer => Json(racer).GetProperty("version").GetInt32()).Order().ToList();
        Assert.That(versions, Is.EqualTo(new[] { 1, 2 }));
        var listing = Json(Registry("list", "racer", "--json"));
        Assert.That(listing.GetProperty("versions").GetArrayLength(), Is.EqualTo(2));
        Assert.That(listing.GetProperty("incomplete").GetArrayLength(), Is.Zero);
        Assert.That(
            listing.GetProperty("versions").EnumerateArray().Select(version => version.GetProperty("model_sha256").GetString()).Order(),
            Is.EqualTo(new[] { Sha256.Of(Path.Combine(_repository.Scratch(Seed42), "model.zip")), Sha256.Of(Path.Combine(_repository.Scratch(Seed7), "model.zip")) }.Order()),
            "each version holds its own registration's model");
    }

    [Test]
    public void GivenS3rver_WhenRegisteringAndPromoting_ThenTheIgnoredConditionalWritesAreReportedAsBM8007AndTheRegistryStillWorks()
    {
        using var s3 = S3Server.Start();
        _repository.Environment["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey;
        _repository.Environment["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey;
        UseRemote("s3store", $"s3://{s3.Bucket}/team", "-o", $"endpoint={s3.Endpoint}");

        Restore(Seed42);
        var register = Registry("register", "churn", "--json");
        Restore(Seed7);
        var second = Json(Registry("register", "churn", "--json"));
        var promote = Registry("promote", "churn", "2", "production", "--reason", "on S3");

        Assert.That(register.ExitCode, Is.Zero, register.ToString());
        Assert.That(register.StandardError, Does.Contain("warning BM8007").And.Contain("a second create with If-None-Match: * of the same key succeeded"), "s3rver ignores If-None-Match, and the tool says so");
        Assert.That(register.StandardError, Does.Contain("may take the same version number and overwrite each other's files"));
        Assert.That(Json(register).GetProperty("conditional_writes").GetBoolean(), Is.False);
        Assert.That(second.GetProperty("version").GetInt32(), Is.EqualTo(2));
        Assert.That(promote.ExitCode, Is.Zero, promote.ToString());
        Assert.That(promote.StandardError, Does.Contain("warning BM8007"));
        Assert.That(Json(Registry("show", "churn", "production", "--json")).GetProperty("version").GetInt32(), Is.EqualTo(2));
        var history = Json(Registry("history", "churn", "--json")).GetProperty("events");
        Assert.That(history.GetArrayLength(), Is.EqualTo(1));
        Assert.That(history[0].GetProperty("why").GetString(), Is.EqualTo("on S3"));
        Assert.That(Code(Registry("show", "churn", "staging")), Is.EqualTo("BM8003"));
        var keys = Directory.GetFiles(Path.Combine(s3.DataDirectory, s3.Bucket), "*", SearchOption.AllDirectories).Select(file => Path.GetRelativePath(Path.Combine(s3.DataDirectory, s3.Bucket), file).Replace('\\', '/')).ToList();
        Assert.That(keys, Has.Some.StartsWith("team/registry/churn/versions/000002/model.zip"));
        Assert.That(keys, Has.None.Contains(".probe-"), "the probe key is deleted");

        var download = Registry("download", "churn", "production", "-o", _repository.Scratch("from-s3"));
        Assert.That(download.ExitCode, Is.Zero, download.ToString());
        Assert.That(Sha256.Of(Path.Combine(_repository.Scratch("from-s3"), "model.zip")), Is.EqualTo(Sha256.Of(Path.Combine(_repository.Scratch(Seed7), "model.zip"))));
    }

    private void Build(params string[] arguments)
    {
        var build = _repository.Build(_project, arguments);
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
    }

    private ProcessResult Registry(params string[] arguments) => _repository.MlopsIn(_repository.Root, ["registry", .. arguments]);

    private void UseRemote(string name, string url, params string[] options)
    {
        var add = _repository.Mlops(["remote", "add", "--default", name, url, .. options]);
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
    }

    /// <summary>Keeps a build's outputs and lock file, to register them later.</summary>
    private void Save(string name)
    {
        var target = _repository.Scratch(name);
        CopyDirectory(Path.Combine(_project, "bin", "mlops"), target);
        File.Copy(Path.Combine(_project, "mlops.lock.json"), Path.Combine(target, "mlops.lock.json"));
    }

    /// <summary>Puts a saved build's outputs and lock file back, as if that build had just run.</summary>
    private void Restore(string name, string? project = null)
    {
        project ??= _project;
        var source = _repository.Scratch(name);
        var outputs = Path.Combine(project, "bin", "mlops");
        Directory.Delete(outputs, recursive: true);
        Directory.CreateDirectory(outputs);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.GetFileName(file) == "mlops.lock.json" ? Path.Combine(project, "mlops.lock.json") : Path.Combine(outputs, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static JsonElement Json(ProcessResult result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var document = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.That(document.GetProperty("succeeded").GetBoolean(), Is.True, result.ToString());
        return document.GetProperty("result").Clone();
    }

    /// <summary>The BMnnnn code of a failed command, from its --json-less error line.</summary>
    private static string Code(ProcessResult result)
    {
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var match = System.Text.RegularExpressions.Regex.Match(result.StandardError, @"error (BM\d{4}):");
        Assert.That(match.Success, Is.True, result.ToString());
        return match.Groups[1].Value;
    }

    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(file => Path.GetRelativePath(folder, file), Sha256.Of), StringComparer.Ordinal);
}
