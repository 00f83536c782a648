using System.CommandLine;
using BuildMlops.Cli.Output;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Pipeline;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops validate|train|evaluate|gate &lt;project&gt;</c>: runs the project's steps through the named
/// one, each only if its inputs changed, exactly as <c>dotnet build -t:Mlops…</c> would.
/// </summary>
internal static class StepCommand
{
    public static Command Create(string name, StepName last, string description)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var properties = CommonOptions.Properties();
        var verbose = CommonOptions.Verbose();
        var verify = new Option<bool>("--verify")
        {
            Description = "Rerun from scratch and fail unless the outputs equal those recorded in mlops.lock.json",
        };
        var command = new Command(name, description) { project, json, properties, verbose, verify };
        command.SetAction(parse =>
        {
            var extra = (parse.GetValue(properties) ?? []).ToList();
            if (parse.GetValue(verify))
            {
                extra.Add("MlopsVerify=true");
            }

            return Run(name, last, parse.GetValue(project), extra, parse.GetValue(json), parse.GetValue(verbose));
        });
        return command;
    }

    private static int Run(string name, StepName last, string? projectArgument, IReadOnlyList<string> properties, bool json, bool verbose)
    {
        var log = new ConsoleLog(verbose, json);
        var report = new JsonReport { Command = name };
        try
        {
            var projectFile = ProjectLocator.Find(projectArgument);
            report.Project = projectFile;
            var spec = SpecLoader.Load(projectFile, properties);
            report.Spec = spec;
            using var runCache = RunCacheFactory.For(spec, log);
            var runner = new PipelineRunner(spec, log, new TrainingStepWorker(), runCache, baselines: new RegistryBaselineProvider(log));
            foreach (var step in StepNames.InOrder.Where(step => step <= last))
            {
                try
                {
                    var result = runner.Run(step);
                    report.Steps.Add((step, result.RestoredFrom is not null ? "restored" : result.Ran ? "ran" : "up-to-date", result.Reasons));
                }
                catch
                {
                    report.Steps.Add((step, "failed", []));
                    throw;
                }
            }
        }
        catch (MlopsException error)
        {
            log.Error(error);
            report.Errors.Add(error);
        }
        catch (GateFailedException failures)
        {
            foreach (var failure in failures.Failures)
            {
                log.Error(failure);
                report.Errors.Add(failure);
            }
        }

        if (json)
        {
            Console.Out.Write(report.ToJson());
        }

        return report.Errors.Count == 0 ? 0 : WorkerProtocol.UserErrorExitCode;
    }
}
