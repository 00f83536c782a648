// What the workflows run: PrCheck on a pull request, Release on a tag, and the fan-in targets PrReport
// and PublishRelease for workflows that build one pipeline per job. The GitHub side (report comment,
// check run, GitHub release) belongs to `mlops ci pr-report` and `mlops ci release`, called only when
// this mlops has them; the build's verdict never depends on them.

// The release a Release run makes: its tag (v1.2.3), the version the images get (1.2.3) and the
// registry alias the tag promotes to (null: none). Null when the target is not a release.
record ReleaseInfo(string Tag, string Version, string Alias);

ReleaseInfo release = null;

// The tag to release: --tag, else the tag a GitHub tag run was started for, else the one on HEAD.
// Only v<major>.<minor>.<patch>[-<pre-release>] tags: the version must be a valid image tag too.
ReleaseInfo ResolveRelease()
{
    var tag = !string.IsNullOrWhiteSpace(tagArgument) ? tagArgument.Trim()
        : EnvironmentVariable("GITHUB_REF_TYPE") == "tag" ? EnvironmentVariable("GITHUB_REF_NAME")
        : GitOutput("describe", "--tags", "--exact-match", "HEAD");
    if (string.IsNullOrWhiteSpace(tag))
    {
        throw new Exception("Release needs a tag: pass --tag=v1.2.3, run it on a tag (GITHUB_REF_TYPE=tag), or tag HEAD.");
    }
    var match = System.Text.RegularExpressions.Regex.Match(tag, @"^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?)$");
    if (!match.Success)
    {
        throw new Exception($"Tag '{tag}' is not a release tag: use v<major>.<minor>.<patch>, optionally with -<pre-release> (v1.2.3, v1.2.3-rc.1).");
    }
    var alias = !string.IsNullOrWhiteSpace(promoteArgument) ? promoteArgument.Trim() : ReleaseAliasFor(tag);
    return new ReleaseInfo(tag, match.Groups[1].Value, alias);
}

// `git <arguments>` in the repository: its first output line, or null when git fails.
string GitOutput(params string[] arguments)
{
    var (exitCode, output, _) = Capture("git", arguments);
    return exitCode == 0 ? output.FirstOrDefault()?.Trim() : null;
}

// The reason recorded in the registry's audit log when this run promotes.
string PromotionReason(string targetName)
{
    if (!string.IsNullOrWhiteSpace(reasonArgument))
    {
        return reasonArgument.Trim();
    }
    var what = release?.Tag ?? GitOutput("rev-parse", "--short", "HEAD") ?? "a working tree outside git";
    return $"{targetName} of {what} by build.cake";
}

// Changes that cannot change a model: documentation, the workflows and their templates, the tests.
// Any other change outside a pipeline's folder (src/, pipelines/Directory.Build.*, global.json,
// .mlops/config.json...) may change every model, so every selected pipeline is checked.
bool CannotChangeAModel(string path) =>
    path.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
    || path.StartsWith("docs/", StringComparison.Ordinal)
    || path.StartsWith(".github/", StringComparison.Ordinal)
    || path.StartsWith("pipelines/github/", StringComparison.Ordinal)
    || path.StartsWith("tests/", StringComparison.Ordinal)
    || path is "LICENSE" or ".gitignore";

// The selected pipelines that the changes since the base touch: --base, else origin/$GITHUB_BASE_REF.
// Without a base, or when git cannot compare with it, every selected pipeline (checking too much is
// only slower; checking too little would let a model through unchecked).
IReadOnlyList<FilePath> ChangedPipelines(IReadOnlyList<FilePath> selected)
{
    var baseRef = !string.IsNullOrWhiteSpace(baseArgument) ? baseArgument.Trim()
        : !string.IsNullOrWhiteSpace(EnvironmentVariable("GITHUB_BASE_REF")) ? "origin/" + EnvironmentVariable("GITHUB_BASE_REF").Trim()
        : null;
    if (baseRef is null)
    {
        Information("No --base and no GITHUB_BASE_REF: checking every selected pipeline.");
        return selected;
    }
    // Three dots: what this branch changed since it left the base, not what the base did since.
    var (exitCode, output, errors) = Capture("git", new[] { "diff", "--name-only", baseRef + "...HEAD" });
    if (exitCode != 0)
    {
        Warning("git diff {0}...HEAD failed ({1}): checking every selected pipeline. A workflow must check out with fetch-depth: 0 for the base to be there.",
            baseRef, string.Join(" ", errors).Trim());
        return selected;
    }
    var changes = output.Where(line => line.Length > 0).ToList();
    // A change outside every pipeline's folder (other than one that cannot change a model) may change them all.
    var pipelineFolders = AllPipelines().Select(project => $"pipelines/{PipelineName(project)}/").ToList();
    var widening = changes.FirstOrDefault(path => !CannotChangeAModel(path)
        && !pipelineFolders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)));
    if (widening is not null)
    {
        Information("{0} changed since {1}: checking every selected pipeline.", widening, baseRef);
        return selected;
    }
    var touched = selected
        .Where(project => changes.Any(path => path.StartsWith($"pipelines/{PipelineName(project)}/", StringComparison.Ordinal) && !CannotChangeAModel(path)))
        .ToList();
    foreach (var project in selected.Except(touched))
    {
        Information("Pipeline {0}: unchanged since {1}, not checked.", PipelineName(project), baseRef);
    }
    return touched;
}

// `mlops ci <command> <project>... <extra>` when this mlops has the command; otherwise says,
// as a warning, that <what> is skipped and why. Returns false when the command ran and failed.
bool RunCiCommand(string command, string what, IReadOnlyList<FilePath> pipelines, params string[] extra)
{
    if (!HasCiCommand(command))
    {
        Warning("{0} skipped: this mlops has no `mlops ci {1}` command (`mlops ci --help` does not list it). The build's result stands on its own.", what, command);
        return true;
    }
    var arguments = new List<string> { "ci", command };
    foreach (var project in pipelines)
    {
        // The projects are the command's arguments (mlops ci pr-report|release [projects...]).
        arguments.Add(repoRoot.GetRelativePath(project).FullPath);
    }
    arguments.AddRange(extra);
    try
    {
        RunMlops(arguments.ToArray());
        return true;
    }
    catch (Exception ex)
    {
        Error("{0} failed: {1}", what, ex.Message);
        return false;
    }
}

// PrCheck: pull data, build every changed pipeline (all gates, baseline gates against the registry
// included), report, and fail when any pipeline failed.
void PrCheck()
{
    var selected = SelectedPipelines();
    PullData(selected);
    var changed = ChangedPipelines(selected);
    if (changed.Count == 0)
    {
        Information("No selected pipeline changed: nothing to check.");
        return;
    }
    var failed = BuildEachPipeline("PrCheck", changed, target: null, new Dictionary<string, string>());
    var reported = !ciReport || RunCiCommand("pr-report", "PR report", changed);
    if (failed.Count > 0)
    {
        throw new Exception($"PrCheck failed for: {string.Join(", ", failed)}.");
    }
    if (!reported)
    {
        throw new Exception("PrCheck: every pipeline passed, but the PR report failed (see above).");
    }
}

// The selected pipelines that have been built here or by earlier jobs (their gates.json is there),
// with whether every gate of each passed.
IReadOnlyList<(FilePath Project, bool Passed)> BuiltPipelines()
{
    var built = new List<(FilePath, bool)>();
    foreach (var project in SelectedPipelines())
    {
        var gatesFile = RegistryIdentity(project).OutputDirectory.CombineWithFilePath("gates.json");
        if (!FileExists(gatesFile))
        {
            Information("Pipeline {0}: no {1}, not built in this run.", PipelineName(project), repoRoot.GetRelativePath(gatesFile));
            continue;
        }
        using var gates = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(gatesFile.FullPath));
        built.Add((project, gates.RootElement.EnumerateArray().All(gate => gate.GetProperty("passed").GetBoolean())));
    }
    return built;
}

// PrReport: the PR report for pipelines other jobs built (their outputs downloaded in place), and the
// same verdict as theirs: fails when a gate failed.
void PrReport()
{
    var built = BuiltPipelines();
    if (built.Count == 0)
    {
        Information("No pipeline was built: no PR report.");
        return;
    }
    var reported = !ciReport || RunCiCommand("pr-report", "PR report", built.Select(pipeline => pipeline.Project).ToList());
    var failed = built.Where(pipeline => !pipeline.Passed).Select(pipeline => PipelineName(pipeline.Project)).ToList();
    if (failed.Count > 0)
    {
        throw new Exception($"Gates failed for: {string.Join(", ", failed)}.");
    }
    if (!reported)
    {
        throw new Exception("The PR report failed (see above).");
    }
}

// PublishRelease: `mlops ci release <project>… --tag <tag>` for the selected pipelines.
void PublishRelease()
{
    if (!RunCiCommand("release", "GitHub release", SelectedPipelines(), "--tag", release.Tag))
    {
        throw new Exception($"Publishing the release of {release.Tag} failed (see above).");
    }
}
