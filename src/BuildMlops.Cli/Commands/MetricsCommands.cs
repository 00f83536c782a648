using System.CommandLine;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Metrics;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops metrics diff [project] [--against production|3|git:REF]</c>: the built model's metrics
/// against a registry alias or version, or against the metrics a git ref's lock file recorded
/// (<see cref="RecordedMetrics"/>), as a markdown table or JSON.
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
            var baseline = RecordedMetrics.AtGitReference(spec, repository, reference, log);
            return MetricsDiff.Compute(against, reference, spec.Task, baseline, current, gates);
        }

        using var store = ModelRegistryStore.Open(repository, log);
        var version = store.RequireAsync(spec.ModelName, against, CancellationToken.None).GetAwaiter().GetResult();
        return MetricsDiff.Compute(against, $"{against} (v{version.Version})", spec.Task, version.Metrics, current, gates);
    }
}
