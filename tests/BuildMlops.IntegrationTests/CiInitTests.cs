using System.Text.Json.Nodes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// <c>mlops ci init</c>, run by the staged CLI in a new git repository: it writes this repository's own Cake build and
/// workflow templates byte for byte, never half of them, and never over a file someone changed unless told to.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CiInitTests
{
    private static readonly string[] CakeBuild = ["build.cake", "build.sh", "build.ps1", "cake.config"];

    [Test]
    public void GivenAnEmptyRepository_WhenCiInitRuns_ThenItHasThisRepositorysCakeBuildAndWorkflows_AndAToolManifest()
    {
        using var repository = NewRepository();

        var init = Mlops(repository.Path, "ci", "init", "--json");

        Assert.That(init.ExitCode, Is.Zero, init.ToString());
        var expected = CakeBuild.Select(file => (file, Path.Combine(RepoLayout.Root, file)))
            .Concat(Directory.GetFiles(Path.Combine(RepoLayout.Root, "build"), "*.cake").Select(file => ($"build/{Path.GetFileName(file)}", file)))
            .Concat(Directory.GetFiles(Path.Combine(RepoLayout.Pipelines, "github"), "*.yml").Select(file => ($".github/workflows/{Path.GetFileName(file)}", file)))
            .ToList();
        foreach (var (relative, source) in expected)
        {
            Assert.That(File.ReadAllBytes(repository.Combine(relative)), Is.EqualTo(File.ReadAllBytes(source)), relative);
        }

        var files = JsonNode.Parse(init.StandardOutput)!["result"]!["files"]!.AsArray();
        Assert.That(files.Select(file => (string?)file!["path"]), Is.EquivalentTo(expected.Select(file => file.Item1).Append(".config/dotnet-tools.json")));
        Assert.That(files.Select(file => (string?)file!["state"]), Is.All.EqualTo("created"));
        Assert.That(File.GetUnixFileMode(repository.Combine("build.sh")) & UnixFileMode.UserExecute, Is.EqualTo(UnixFileMode.UserExecute));

        var manifest = JsonNode.Parse(File.ReadAllText(repository.Combine(".config", "dotnet-tools.json")))!["tools"]!;
        var ours = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, ".config", "dotnet-tools.json")))!["tools"]!;
        Assert.That((string?)manifest["cake.tool"]!["version"], Is.EqualTo((string?)ours["cake.tool"]!["version"]), "the Cake this build is tested with");
        Assert.That((string?)manifest["buildmlops.tool"]!["version"], Is.EqualTo(PackedBuildMlops.Version));

        var again = Mlops(repository.Path, "ci", "init");
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.StandardOutput, Does.Contain("are already BuildMlops 0.1.0's"));
    }

    [Test]
    public void GivenAChangedBuildCake_WhenCiInitRuns_ThenBM9106NamesIt_AndNothingIsWritten_UntilForceReplacesIt()
    {
        using var repository = NewRepository();
        File.WriteAllText(repository.Combine("build.cake"), "// our own build\n");

        var refused = Mlops(repository.Path, "ci", "init");

        Assert.That(refused.ExitCode, Is.Not.Zero);
        Assert.That(refused.StandardError, Does.Contain("error BM9106: build.cake exists and differs from BuildMlops's; nothing was written"));
        Assert.That(File.ReadAllText(repository.Combine("build.cake")), Is.EqualTo("// our own build\n"));
        Assert.That(Directory.Exists(repository.Combine("build")), Is.False, "no half scaffold");
        Assert.That(Directory.GetFiles(repository.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty);

        var forced = Mlops(repository.Path, "ci", "init", "--force", "--json");

        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
        Assert.That(File.ReadAllBytes(repository.Combine("build.cake")), Is.EqualTo(File.ReadAllBytes(Path.Combine(RepoLayout.Root, "build.cake"))));
        var states = JsonNode.Parse(forced.StandardOutput)!["result"]!["files"]!.AsArray().ToDictionary(file => (string)file!["path"]!, file => (string?)file!["state"]);
        Assert.That(states["build.cake"], Is.EqualTo("replaced"));
        Assert.That(states["build/ci.cake"], Is.EqualTo("created"));
    }

    [Test]
    public void GivenACakeConfigWithTheTeamsSettings_WhenCiInitRuns_ThenItIsKept()
    {
        using var repository = NewRepository();
        var settings = File.ReadAllText(Path.Combine(RepoLayout.Root, "cake.config")).Replace(";Registry=ghcr.io/acme", "Registry=ghcr.io/acme", StringComparison.Ordinal);
        File.WriteAllText(repository.Combine("cake.config"), settings);

        var init = Mlops(repository.Path, "ci", "init", "--force");

        Assert.That(init.ExitCode, Is.Zero, init.ToString());
        Assert.That(File.ReadAllText(repository.Combine("cake.config")), Is.EqualTo(settings), "the team's settings, even with --force");
    }

    [Test]
    public void GivenAToolManifestWithoutCake_WhenCiInitRuns_ThenTheManifestIsLeftAlone_AndTheCommandToAddCakeIsPrinted()
    {
        using var repository = NewRepository();
        Directory.CreateDirectory(repository.Combine(".config"));
        const string manifest = "{\n  \"version\": 1,\n  \"isRoot\": true,\n  \"tools\": {}\n}\n";
        File.WriteAllText(repository.Combine(".config", "dotnet-tools.json"), manifest);

        var init = Mlops(repository.Path, "ci", "init");

        Assert.That(init.ExitCode, Is.Zero, init.ToString());
        Assert.That(File.ReadAllText(repository.Combine(".config", "dotnet-tools.json")), Is.EqualTo(manifest));
        Assert.That(init.Output, Does.Contain("has no cake.tool, which build.sh runs: add it with 'dotnet tool install Cake.Tool --version 7.0.0'"));
    }

    private static TemporaryDirectory NewRepository()
    {
        var repository = new TemporaryDirectory("ci-init");
        var git = ProcessRunner.Run("git", ["init", "-q"], repository.Path);
        Assert.That(git.ExitCode, Is.Zero, git.ToString());
        return repository;
    }

    private static ProcessResult Mlops(string directory, params string[] arguments) =>
        ProcessRunner.Dotnet(directory, [RepoLayout.MlopsDll, .. arguments]);
}
