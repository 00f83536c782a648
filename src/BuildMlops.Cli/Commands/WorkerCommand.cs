using System.CommandLine;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Pipeline;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops step &lt;name&gt; --spec &lt;file&gt;</c>: the worker the SDK's MSBuild task starts to run one
/// heavy step out of the MSBuild node. It speaks <see cref="WorkerProtocol"/> on standard output.
/// Not meant for people; <c>mlops train</c> and friends are.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var step = new Argument<string>("step") { Description = "hash-data, validate, train, evaluate or gate" };
        var spec = new Option<FileInfo>("--spec") { Description = "The spec.json the SDK's MlopsWriteSpec target wrote", Required = true };
        var command = new Command("step", "Run one step for an MSBuild build (used by BuildMlops.Sdk)") { step, spec };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var gitHub = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
            var log = new WorkerProtocol.Writer(Console.Out, gitHub);
            try
            {
                var model = SpecLoader.LoadFile(parse.GetValue(spec)!.FullName);
                using var runCache = RunCacheFactory.For(model, log);
                new PipelineRunner(model, log, new TrainingStepWorker(), runCache, baselines: new RegistryBaselineProvider(log)).Run(StepNames.Parse(parse.GetValue(step)!));
                return 0;
            }
            catch (MlopsException error)
            {
                log.Error(error);
                return WorkerProtocol.UserErrorExitCode;
            }
            catch (GateFailedException failures)
            {
                foreach (var failure in failures.Failures)
                {
                    log.Error(failure);
                }

                return WorkerProtocol.UserErrorExitCode;
            }
        });
        return command;
    }
}
