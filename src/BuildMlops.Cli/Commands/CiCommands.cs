using System.CommandLine;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.GitHub;
using BuildMlops.GitHub.Gathering;
using BuildMlops.GitHub.Scaffold;
using BuildMlops.Pipeline;
using BuildMlops.Repository;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops ci init</c> writes a repository's CI (the Cake build and the workflows, <see cref="CiScaffold"/>);
/// <c>mlops ci pr-report|release [projects...]</c> are the CI entry points over BuildMlops.GitHub. Each project must
/// already be built; <see cref="PipelineReportBuilder"/> and <see cref="ReleaseModelBuilder"/> gather what it did, and
/// the publishers post it. With <c>--dry-run</c>, or outside GitHub Actions (no <c>GITHUB_REPOSITORY</c>), the
/// Markdown goes to standard output and GitHub is not called, so both commands work on a laptop.
/// </summary>
internal static class CiCommands
{
    public static Command Create()
    {
        var ci = new Command("ci", "Set up a repository's CI, and report built models to GitHub: a pull request report against production, a tag's release");
        ci.Subcommands.Add(Init());
        ci.Subcommands.Add(PrReport());
        ci.Subcommands.Add(Release());
        return ci;
    }

    private static Command Init()
    {
        var directory = new Argument<DirectoryInfo?>("directory")
        {
            Description = "The repository's root; default: the git repository that holds the current directory, else the current directory",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var force = new Option<bool>("--force") { Description = "Replace files that differ from BuildMlops's (without it, such a file stops the command before anything is written)" };
        var json = CommonOptions.Json();
        var command = new Command("init", "Write the CI of a repository of models: the Cake build (build.cake, build/, build.sh, build.ps1, cake.config), .github/workflows/pr.yml and release.yml, and a tool manifest pinning Cake and mlops if there is none. docs/ci-guide.md says what to set next") { directory, force, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var root = parse.GetValue(directory)?.FullName ?? GitInfo.TopLevel(Environment.CurrentDirectory) ?? Environment.CurrentDirectory;
            var files = CiScaffold.Write(root, parse.GetValue(force), ToolVersions.BuildMlops, log);
            var written = files.Count(file => file.State != ScaffoldFileState.Unchanged);
            log.Important(written == 0
                ? $"CI files in {root} are already BuildMlops {ToolVersions.BuildMlops}'s"
                : $"wrote {written} of {files.Count} CI files in {root}; next: model projects under pipelines/<name>/, a default remote, and the secrets of docs/ci-guide.md");
            return new
            {
                Root = root,
                Files = files.Select(file => new { file.Path, State = file.State.ToString().ToLowerInvariant() }).ToList(),
            };
        }));
        return command;
    }

    private static Command PrReport()
    {
        var projects = Projects();
        var properties = CommonOptions.Properties();
        var json = CommonOptions.Json();
        var dryRun = DryRun();
        var against = new Option<string>("--against")
        {
            Description = "The registry alias (or version number) to compare with",
            DefaultValueFactory = _ => PipelineReportBuilder.DefaultAgainst,
        };
        var buildLog = new Option<FileInfo?>("--build-log")
        {
            Description = "The build's saved output (dotnet build | tee build.log), to read whether each model was trained or restored from the run cache. Without it, each project's obj/mlops/outcomes.json, which every build writes, says",
        };
        var command = new Command("pr-report", "Compare each built model with production and publish the report: step summary, pull request comment, check run. Exit 1 when a gate failed") { projects, properties, against, buildLog, json, dryRun };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var passed = true;
            string? markdown = null;
            var exit = CliAction.Run(asJson, log =>
            {
                var pipelines = Specs(parse.GetValue(projects), parse.GetValue(properties))
                    .Select(spec => new PipelineReportBuilder(log).BuildAsync(spec, parse.GetValue(against)!, parse.GetValue(buildLog)?.FullName).GetAwaiter().GetResult())
                    .ToList();
                if (Local(parse.GetValue(dryRun)))
                {
                    var report = new PrReport(pipelines);
                    passed = report.Passed;
                    markdown = PrReportMarkdown.Body(report);
                    return new { passed, dry_run = true, markdown };
                }

                var context = GitHubContext.FromEnvironment();
                var outcome = new PrReportPublisher(GitHubClientFactory.Create(context), log)
                    .PublishAsync(context, new PrReport(pipelines) { CommitSha = context.Sha, RunUrl = context.RunUrl })
                    .GetAwaiter().GetResult();
                passed = outcome.Passed;
                return outcome;
            });
            if (!asJson && markdown is not null)
            {
                Console.Out.Write(markdown);
            }

            // A failed gate fails the job whatever else happened, a fork's read-only token included.
            return exit == 0 && !passed ? WorkerProtocol.UserErrorExitCode : exit;
        });
        return command;
    }

    private static Command Release()
    {
        var projects = Projects();
        var properties = CommonOptions.Properties();
        var json = CommonOptions.Json();
        var dryRun = DryRun();
        var tag = new Option<string?>("--tag") { Description = "The tag to release (default: the run's, from GITHUB_REF)" };
        var command = new Command("release", "Create or update the tag's GitHub release: per model its card, metrics and image digest, with card.md, metrics.json and mlops.lock.json attached") { projects, properties, tag, json, dryRun };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            string? notes = null;
            var exit = CliAction.Run(asJson, log =>
            {
                var local = Local(parse.GetValue(dryRun));
                var context = local ? null : GitHubContext.FromEnvironment();
                var specs = Specs(parse.GetValue(projects), parse.GetValue(properties));
                var entries = specs.Select(spec => new ReleaseModelBuilder(log).BuildAsync(spec, context?.Sha).GetAwaiter().GetResult()).ToList();
                var body = ReleaseNotesMarkdown.Render(entries.Select(entry => entry.Model).ToList());
                var assets = Assets(specs, entries);
                if (context is null)
                {
                    notes = body;
                    return new { dry_run = true, notes = body, assets = assets.Select(Path.GetFileName).ToList() };
                }

                return new ReleasePublisher(GitHubClientFactory.Create(context)).PublishAsync(context, body, assets, parse.GetValue(tag)).GetAwaiter().GetResult();
            });
            if (!asJson && notes is not null)
            {
                Console.Out.Write(notes);
            }

            return exit;
        });
        return command;
    }

    private static Argument<string[]> Projects() => new("projects")
    {
        Description = "Built model projects (directories or .csproj files); default: every pipelines/*/*.csproj under the current directory, else the current directory's project",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<bool> DryRun() => new("--dry-run")
    {
        Description = "Write the Markdown to standard output instead of calling GitHub (the default outside GitHub Actions)",
    };

    /// <summary>No GitHub calls: asked for, or not in Actions, where GitHubContext would fail for want of GITHUB_REPOSITORY.</summary>
    private static bool Local(bool dryRun) => dryRun || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("GITHUB_REPOSITORY"));

    private static List<Spec.ModelSpec> Specs(string[]? projects, string[]? properties)
    {
        var files = projects is { Length: > 0 } ? projects.Select(ProjectLocator.Find).ToList() : DefaultProjects();
        return files.Select(file => SpecLoader.Load(file, properties ?? [])).ToList();
    }

    private static List<string> DefaultProjects()
    {
        var pipelines = Path.GetFullPath("pipelines");
        if (!Directory.Exists(pipelines))
        {
            return [ProjectLocator.Find(null)];
        }

        var found = Directory.GetDirectories(pipelines).SelectMany(directory => Directory.GetFiles(directory, "*.csproj")).Order(StringComparer.Ordinal).ToList();
        return found.Count > 0 ? found : throw new MlopsException(ErrorCodes.ProjectNotFound, new SourceLocation(pipelines), "no pipelines/*/*.csproj model project was found", "Name the projects to report: mlops ci pr-report pipelines/churn");
    }

    /// <summary>
    /// The files to attach. With one model they keep their names (card.md, metrics.json, mlops.lock.json); with
    /// several, GitHub would refuse a second asset of one name, so each is copied as <c>{project}-{name}</c>.
    /// </summary>
    private static List<string> Assets(IReadOnlyList<Spec.ModelSpec> specs, IReadOnlyList<ReleaseEntry> entries)
    {
        if (entries.Count == 1)
        {
            return [.. entries[0].Assets];
        }

        var assets = new List<string>();
        for (var i = 0; i < entries.Count; i++)
        {
            var folder = Path.Combine(specs[i].IntermediateDirectory, "release", "assets");
            Directory.CreateDirectory(folder);
            foreach (var asset in entries[i].Assets)
            {
                var copy = Path.Combine(folder, $"{specs[i].ProjectName}-{Path.GetFileName(asset)}");
                File.Copy(asset, copy, overwrite: true);
                assets.Add(copy);
            }
        }

        return assets;
    }
}
