using BuildMlops.Gate;
using System.CommandLine;
using BuildMlops.Cli.Output;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops status &lt;project&gt;</c>: for every step, whether it is up to date or what would make it
/// run, without running anything (the counterpart of <c>dvc status</c>).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var properties = CommonOptions.Properties();
        var command = new Command("status", "Show which steps are up to date and why the others would run; runs nothing") { project, json, properties };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var report = new JsonReport { Command = "status" };
            var log = new ConsoleLog(verbose: false, json: asJson);
            try
            {
                var projectFile = ProjectLocator.Find(parse.GetValue(project));
                report.Project = projectFile;
                var spec = SpecLoader.Load(projectFile, parse.GetValue(properties) ?? []);
                report.Spec = spec;
                var runner = new PipelineRunner(spec, new QuietLog(), worker: null, readOnly: true, baselines: new RegistryBaselineProvider(new QuietLog()));
                foreach (var step in StepNames.InOrder.Skip(1))
                {
                    var plan = runner.Plan(step);
                    report.Steps.Add((step, plan.UpToDate ? "up-to-date" : "stale", plan.Reasons));
                    if (!asJson)
                    {
                        Console.Out.WriteLine(plan.UpToDate
                            ? $"{step.Target(),-18} up to date"
                            : $"{step.Target(),-18} would run: {string.Join("; ", plan.Reasons)}");
                    }
                }
            }
            catch (MlopsException error)
            {
                log.Error(error);
                report.Errors.Add(error);
            }

            if (asJson)
            {
                Console.Out.Write(report.ToJson());
            }

            return report.Errors.Count == 0 ? 0 : WorkerProtocol.UserErrorExitCode;
        });
        return command;
    }

    private sealed class QuietLog : IMlopsLog
    {
        public void Message(string text)
        {
        }

        public void Important(string text)
        {
        }

        public void Warning(string code, SourceLocation location, string message)
        {
        }

        public void Error(MlopsException error)
        {
        }
    }
}
