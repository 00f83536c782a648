using System.Text.RegularExpressions;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Cake.Tests;

/// <summary>
/// The repository's own build.cake, run by the pinned Cake: the decisions it makes before building
/// anything (which alias a release tag promotes to, which tags and registries it refuses). What the
/// targets then build is the SDK's and the CLI's business, tested with them.
/// </summary>
public sealed partial class BuildScriptTests
{
    [Test]
    public void Release_refuses_a_tag_that_is_not_a_version_before_running_anything()
    {
        var result = Cake("--target=Release", "--tag=release-1");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("Tag 'release-1' is not a release tag"));
        Assert.That(result.Output, Does.Not.Contain("Executing:"), "nothing may run for a tag that cannot be released");
    }

    [Test]
    public void Release_promotes_a_release_candidate_to_staging_as_cake_config_says()
    {
        var result = Cake("--target=Release", "--tag=v1.2.3-rc.1", "--dryrun");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("Release v1.2.3-rc.1: images tagged 1.2.3-rc.1 (and the commit), promoted to staging"));
    }

    [Test]
    public void A_switch_overrides_the_release_promotion_of_cake_config()
    {
        var result = Cake("--target=Release", "--tag=v2.0.0", "--dryrun", "--buildmlops_releasepromotion=v2.*:canary, v*:production");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("Release v2.0.0: images tagged 2.0.0 (and the commit), promoted to canary"));
    }

    [Test]
    public void Push_without_a_registry_fails_naming_the_three_places_to_set_one()
    {
        var result = Cake("--target=Push", "--pipeline=churn");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("No registry to push to").And.Contain("--registry").And.Contain("MLOPS_REGISTRY").And.Contain("[BuildMlops]"));
        Assert.That(result.Output, Does.Not.Contain("-t:MlopsPush").And.Not.Contain("/target:MlopsPush"));
    }

    /// <summary><c>dotnet cake build.cake &lt;arguments&gt;</c> at the repository root, with the colours taken out.</summary>
    private static ProcessResult Cake(params string[] arguments)
    {
        var result = ProcessRunner.Dotnet(
            RepoLayout.Root,
            ["cake", "build.cake", .. arguments],
            new Dictionary<string, string?>
            {
                // The run must not pick up a registry, tag or setting from the machine or the CI job.
                ["MLOPS_REGISTRY"] = null,
                ["CAKE_BUILDMLOPS_REGISTRY"] = null,
                ["GITHUB_REF_TYPE"] = null,
                ["GITHUB_REF_NAME"] = null,
                ["GITHUB_BASE_REF"] = null,
            },
            TimeSpan.FromMinutes(5));
        Assert.That(result.Output, Does.Not.Contain("Cannot find a tool in the manifest"),
            "Cake.Tool is not restored: run 'dotnet tool restore' at the repository root (.ci/run does).");
        return result with
        {
            StandardOutput = AnsiEscape().Replace(result.StandardOutput, ""),
            StandardError = AnsiEscape().Replace(result.StandardError, ""),
        };
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();
}
