using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// The SDK as a new user gets it: packed into a local feed and named in a project outside the
/// repository as <c>&lt;Project Sdk="BuildMlops.Sdk/0.1.0"&gt;</c>.
/// </summary>
[TestFixture]
public sealed class PackedSdkTests
{
    [Test]
    public void GivenThePackedSdk_WhenANewProjectUsesIt_ThenItTrainsTheSameModelAsTheSourceSdk()
    {
        using var temporary = new TemporaryDirectory("packed-sdk");
        var feed = PackedBuildMlops.Feed;
        var project = temporary.Combine("app");
        Directory.CreateDirectory(Path.Combine(project, "data"));
        File.Copy(RepoLayout.PipelineData("churn", "wa_churn.csv"), Path.Combine(project, "data", "wa_churn.csv"));
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "churn.csproj"), """
            <Project Sdk="BuildMlops.Sdk/0.1.0">
              <PropertyGroup>
                <MlopsLabel>churn</MlopsLabel>
                <MlopsPositiveClass>Yes</MlopsPositiveClass>
              </PropertyGroup>
              <ItemGroup>
                <MlopsData Include="data/wa_churn.csv" />
                <MlopsGate Include="auc" Min="0.83" />
              </ItemGroup>
            </Project>
            """);
        var isolatedPackages = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = temporary.Combine("packages") };

        var build = ProcessRunner.Dotnet(project, ["build", "-nodeReuse:false", "-tl:off"], isolatedPackages, TimeSpan.FromMinutes(10));

        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.StandardOutput, Does.Contain("MlopsTrain: done"));
        using var source = new PipelineWorkspace("churn");
        Assert.That(source.Build("-t:MlopsTrain").ExitCode, Is.Zero);
        Assert.That(Sha256.Of(Path.Combine(project, "bin", "mlops", "model.zip")), Is.EqualTo(Sha256.Of(source.Output("model.zip"))));
    }

    [Test]
    public void GivenThePackedTool_WhenInstalledAsADotnetTool_ThenMlopsRunsAProject()
    {
        using var temporary = new TemporaryDirectory("packed-tool");
        var feed = PackedBuildMlops.Feed;
        var isolatedPackages = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = temporary.Combine("packages") };
        var toolPath = temporary.Combine("tools");

        var install = ProcessRunner.Dotnet(temporary.Path, ["tool", "install", "BuildMlops.Tool", "--version", "0.1.0", "--add-source", feed, "--tool-path", toolPath], isolatedPackages);

        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        using var concrete = new PipelineWorkspace("concrete", withLockFile: false);
        var status = ProcessRunner.Run(Path.Combine(toolPath, "mlops"), ["status", concrete.Directory], concrete.Directory);
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.StandardOutput, Does.Contain("MlopsTrain         would run: it has not run yet"));
    }
}
