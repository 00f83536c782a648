using System.CommandLine;
using System.Diagnostics;
using BuildMlops.Cache;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Metrics;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops metrics diff [project] [--against production|3|git:REF]</c>: the built model's metrics
/// against a registry alias or version, or against the metrics a git ref's lock file recorded
/// (fetched by hash from the cache or the default remote), as a markdown table or JSON.
/// </summary>
internal static class MetricsCommands
{
    private const string GitPrefix = "git:";

    public static Command Create()
    {
        var metrics = new Command("metrics", "Compare a model's metrics with another version's");
        var project = CommonOptions.Project();
        var properties = CommonOptions.Properties();
        var json = CommonOptions.Json();
        var against = new Option<string>("--against")
        {
            Description = "What to compare with: a registry alias (production), a version number (3), or git:REF for the metrics a commit's lock file recorded (git:main, git:HEAD~1)",
            DefaultValueFactory = _ => "production",
        };
        var diff = new Command("diff", "Show each metric of the built model next to the baseline's, with the delta and the current build's gate results") { project, properties, against, json };
        diff.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            MetricsDiff? result = null;
            var exit = CliAction.Run(asJson, log =>
            {
                var spec = SpecLoader.Load(ProjectLocator.Find(parse.GetValue(project)), parse.GetValue(properties) ?? []);
                result = Diff(spec, parse.GetValue(against)!, log);
                return result;
            });
            if (!asJson && result is not null)
            {
                Console.Out.Write(result.ToMarkdown());
            }

            return exit == 0 && result is { GatesPassed: false } ? WorkerProtocol.UserErrorExitCode : exit;
        });
        metrics.Subcommands.Add(diff);
        return metrics;
    }

    private static MetricsDiff Diff(ModelSpec spec, string against, IMlopsLog log)
    {
        var metricsPath = spec.PathOf(StepOutputs.Metrics);
        if (!File.Exists(metricsPath))
        {
            throw new MlopsException(ErrorCodes.BadMetricsFile, new SourceLocation(metricsPath), "the project has no metrics.json to compare", "Build it first: dotnet build (or mlops evaluate)");
        }

        var current = MetricsFile.Read(metricsPath);
        var gatesPath = spec.PathOf(StepOutputs.Gates);
        var gates = File.Exists(gatesPath) ? GateSummary.Read(gatesPath) : null;
        var repository = MlopsRepository.Discover(spec.ProjectDirectory);
        if (against.StartsWith(GitPrefix, StringComparison.Ordinal))
        {
            var reference = against[GitPrefix.Length..];
            var baseline = MetricsAtGitRef(spec, repository, reference, log);
            return MetricsDiff.Compute(against, reference, spec.Task, baseline, current, gates);
        }

        using var store = ModelRegistryStore.Open(repository, log);
        var version = store.RequireAsync(spec.ModelName, against, CancellationToken.None).GetAwaiter().GetResult();
        return MetricsDiff.Compute(against, $"{against} (v{version.Version})", spec.Task, version.Metrics, current, gates);
    }

    /// <summary>The metrics.json whose hash the lock file at <paramref name="reference"/> recorded, from the cache or the default remote.</summary>
    private static IReadOnlyDictionary<string, double> MetricsAtGitRef(ModelSpec spec, MlopsRepository repository, string reference, IMlopsLog log)
    {
        var location = new SourceLocation(spec.LockFile);
        var root = Git(spec.ProjectDirectory, location, "rev-parse", "--show-toplevel").Trim();
        var lockPath = Path.GetRelativePath(root, spec.LockFile).Replace('\\', '/');
        var text = Git(root, location, "show", $"{reference}:{lockPath}");
        var temporary = Path.GetTempFileName();
        LockFile lockFile;
        try
        {
            File.WriteAllText(temporary, text);
            lockFile = LockFile.Load(temporary);
        }
        finally
        {
            File.Delete(temporary);
        }

        var metricsKey = spec.Relative(spec.PathOf(StepOutputs.Metrics));
        if (lockFile.Stage(StepName.Evaluate)?.Outs.GetValueOrDefault(metricsKey) is not { } recorded)
        {
            throw new MlopsException(ErrorCodes.BadLockFile, location, $"the lock file at {reference} records no {metricsKey}", "Compare with a commit whose model was built and its lock file committed");
        }

        var cache = new ContentCache(repository.CacheDirectory);
        if (!cache.Contains(recorded.Sha256))
        {
            log.Message($"fetching {metricsKey} of {reference} ({recorded.Sha256[..12]}) from the default remote");
            using var remote = RemoteRegistry.Open(repository, null);
            // A missing object is BM5003 from the cache; false means the remote's copy did not hash right.
            var fetched = cache.AddVerifiedAsync(recorded.Sha256, recorded.Size, (target, token) => remote.DownloadToAsync(RemoteKeys.Object(recorded.Sha256), target, token), CancellationToken.None).GetAwaiter().GetResult();
            if (!fetched)
            {
                throw new MlopsException(ErrorCodes.RemoteObjectCorrupt, location, $"the metrics of {reference} ({recorded.Sha256[..12]}) on remote '{remote.Name}' do not match their hash", "Push them again from a machine that built that commit: mlops push --run-cache");
            }
        }

        return MetricsFile.Read(cache.ObjectPath(recorded.Sha256));
    }

    private static string Git(string directory, SourceLocation location, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new MlopsException(ErrorCodes.BadLockFile, location, $"git {string.Join(' ', arguments)} failed: {error.Result.Trim()}", "Name a commit, branch or tag that has the project's lock file (git:main, git:v1.0.0)");
        }

        return output;
    }
}
