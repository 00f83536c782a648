using System.Text.Json;
using System.Security.Cryptography;
using System.Xml.Linq;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Cake.Tests;

/// <summary>
/// The aliases as a user meets them: a build.cake of their own that loads BuildMlops.Cake.dll with #r,
/// run by the repository's pinned Cake (dotnet cake), training a copy of pipelines/churn for real.
/// </summary>
public sealed class CakeScriptTests
{
    [Test]
    public void A_users_build_cake_that_loads_the_aliases_trains_and_gates_a_model_project()
    {
        using var workspace = new PipelineWorkspace("churn");
        // Only the aliases' own assembly, as a user would copy it next to their script: Cake brings Cake.Core.
        var tools = Directory.CreateDirectory(Path.Combine(workspace.Directory, "tools")).FullName;
        File.Copy(typeof(MlopsAliases).Assembly.Location, Path.Combine(tools, "BuildMlops.Cake.dll"));
        var script = Path.Combine(workspace.Directory, "build.cake");
        File.WriteAllText(script, """
            #r "tools/BuildMlops.Cake.dll"

            Task("Train").Does(() =>
            {
                MlopsTrain("churn.csproj");
            });

            RunTarget(Argument("target", "Train"));
            """);

        // From the repository root, where .config/dotnet-tools.json pins Cake; Cake itself then works in the script's folder.
        var result = ProcessRunner.Dotnet(
            RepoLayout.Root,
            ["cake", script, "--settings_showprocesscommandline=true"],
            timeout: TimeSpan.FromMinutes(8));

        Assert.That(result.Output, Does.Not.Contain("Cannot find a tool in the manifest"),
            "Cake.Tool is not restored: run 'dotnet tool restore' at the repository root (.ci/run does).");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        // The alias's command line, printed by Cake, and the build it ran.
        Assert.That(result.StandardOutput, Does.Match(@"build \S*churn\.csproj -nodeReuse:false"));
        Assert.That(result.StandardOutput, Does.Contain("MlopsTrain"));
        using var gates = JsonDocument.Parse(File.ReadAllText(workspace.Output("gates.json")));
        Assert.That(gates.RootElement.EnumerateArray().Select(gate => gate.GetProperty("passed").GetBoolean()), Is.Not.Empty.And.All.True, gates.RootElement.ToString());
        // Training is deterministic: the model is the one the committed lock file records.
        var modelHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(workspace.Output("model.zip"))));
        Assert.That(modelHash, Is.EqualTo(LockedModelHash(workspace.LockFile)));
    }

    [Test]
    public void The_aliases_are_compiled_against_the_cake_version_the_tool_manifest_pins()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, ".config", "dotnet-tools.json")));
        var pinned = manifest.RootElement.GetProperty("tools").GetProperty("cake.tool").GetProperty("version").GetString();
        var props = XDocument.Load(Path.Combine(RepoLayout.Root, "src", "BuildMlops.Cake", "CakeCore.props"));
        var compiledAgainst = props.Descendants("CakeToolVersion").Single().Value;

        Assert.That(compiledAgainst, Is.EqualTo(pinned),
            "src/BuildMlops.Cake/CakeCore.props and .config/dotnet-tools.json must name the same Cake.Tool version");
        Assert.That(typeof(global::Cake.Core.ICakeContext).Assembly.GetName().Version?.ToString(3), Is.EqualTo(pinned));
    }

    /// <summary>The model.zip hash the train stage of a lock file records.</summary>
    private static string LockedModelHash(string lockFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(lockFile));
        return document.RootElement.GetProperty("stages").GetProperty("train").GetProperty("outs")
            .GetProperty("bin/mlops/model.zip").GetProperty("sha256").GetString()!;
    }
}
