using System.Text.RegularExpressions;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// The GitHub Actions workflows: this repository's own (.github/workflows) and the templates it ships
/// (pipelines/github). Each is checked against the workflow schema by action-validator, and for what
/// docs/ci.md promises: actions pinned by commit, read-only by default, write only where a job needs it.
/// </summary>
public sealed partial class WorkflowTests
{
    private static readonly string Validator = Path.Combine(RepoLayout.Root, "tests", "servers", "node_modules", ".bin", "action-validator");

    /// <summary>Every workflow file, relative to the repository root.</summary>
    public static IEnumerable<string> WorkflowFiles() =>
        new[] { Path.Combine(".github", "workflows"), Path.Combine("pipelines", "github") }
            .Select(folder => Path.Combine(RepoLayout.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.yml").Concat(Directory.GetFiles(folder, "*.yaml")))
            .Select(file => Path.GetRelativePath(RepoLayout.Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(WorkflowFiles))]
    public void Workflow_file_is_valid_for_github_actions(string file)
    {
        if (!File.Exists(Validator))
        {
            Assert.Fail($"action-validator is not installed at {Validator}. Install it with " +
                "'npm install --no-save @action-validator/cli@0.6.0 --prefix tests/servers' (or 'npm ci --prefix tests/servers' once tests/servers/package.json lists it).");
        }

        // From the root: the validator checks the paths and globs a workflow names against the repository's files.
        var result = ProcessRunner.Run(Validator, [file], RepoLayout.Root, timeout: TimeSpan.FromMinutes(1));

        Assert.That(result.ExitCode, Is.EqualTo(0), $"action-validator {file}:\n{result}");
    }

    [Test]
    public void The_repository_has_its_ci_and_the_pull_request_and_release_workflows_and_ships_them_as_templates()
    {
        Assert.That(WorkflowFiles(), Is.SupersetOf(new[]
        {
            ".github/workflows/ci.yml",
            ".github/workflows/pr.yml",
            ".github/workflows/release.yml",
            "pipelines/github/pr.yml",
            "pipelines/github/release.yml",
        }));
    }

    [TestCase("pr.yml")]
    [TestCase("release.yml")]
    public void The_repository_runs_the_template_it_ships_unchanged(string name)
    {
        var template = File.ReadAllText(Path.Combine(RepoLayout.Root, "pipelines", "github", name));
        var own = File.ReadAllText(Path.Combine(RepoLayout.Root, ".github", "workflows", name));

        Assert.That(own, Is.EqualTo(template), $".github/workflows/{name} must be a copy of pipelines/github/{name}");
    }

    [TestCaseSource(nameof(WorkflowFiles))]
    public void Every_action_is_pinned_by_commit_sha_with_its_version_in_a_comment(string file)
    {
        var uses = File.ReadAllLines(Path.Combine(RepoLayout.Root, file))
            .Select(line => UsesLine().Match(line))
            .Where(match => match.Success)
            .ToList();

        Assert.That(uses, Is.Not.Empty, file);
        foreach (var match in uses)
        {
            Assert.That(match.Groups["ref"].Value, Does.Match("^[0-9a-f]{40}$"), $"{file}: {match.Value} is not pinned by a full commit SHA");
            Assert.That(match.Groups["version"].Value, Does.Match(@"^v\d+(\.\d+)*$"), $"{file}: {match.Value} does not name its version in a comment");
        }
    }

    [TestCaseSource(nameof(WorkflowFiles))]
    public void The_token_is_read_only_by_default_and_writes_only_in_the_jobs_that_need_them(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoLayout.Root, file));
        var top = Array.IndexOf(lines, "permissions:");
        Assert.That(top, Is.GreaterThanOrEqualTo(0), $"{file} has no top-level permissions block");
        var topLevel = lines.Skip(top + 1)
            .TakeWhile(line => line.StartsWith(' ') || line.Length == 0)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();
        Assert.That(topLevel, Is.EqualTo(new[] { "contents: read" }), $"{file}: the top-level permissions");

        // A write grant sits in a job's own permissions block (jobs.<id>.permissions: six spaces in).
        var writes = lines.Where(line => WriteGrant().IsMatch(line)).ToList();
        Assert.That(writes.Where(line => !line.StartsWith("      ", StringComparison.Ordinal) || line.StartsWith("       ", StringComparison.Ordinal)),
            Is.Empty, $"{file}: write permissions outside a job's permissions block");
    }

    [Test]
    public void The_pull_request_report_and_the_release_get_exactly_the_writes_they_need()
    {
        var pr = File.ReadAllText(Path.Combine(RepoLayout.Root, "pipelines", "github", "pr.yml"));
        var release = File.ReadAllText(Path.Combine(RepoLayout.Root, "pipelines", "github", "release.yml"));

        Assert.That(WriteGrant().Matches(pr).Select(match => match.Groups["scope"].Value), Is.EquivalentTo(new[] { "pull-requests", "checks", "statuses" }));
        Assert.That(WriteGrant().Matches(release).Select(match => match.Groups["scope"].Value), Is.EquivalentTo(new[] { "packages", "contents" }));
    }

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s*(?<action>[^@\s]+)@(?<ref>\S+)(\s+#\s*(?<version>\S+))?")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^\s+(?<scope>[a-z-]+):\s*write\b", RegexOptions.Multiline)]
    private static partial Regex WriteGrant();
}
