using System.CommandLine;
using BuildMlops.Cli.Output;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Serving;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops serve &lt;project&gt;</c>: serves the project's trained model (its <c>bin/mlops/</c>, described
/// by its lock file) over HTTP on 127.0.0.1 until Ctrl+C, with the same server a model image runs
/// (<c>mlops-serve</c>, BuildMlops.Serving). It trains nothing: it warns if the model is out of date.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var project = CommonOptions.Project();
        var properties = CommonOptions.Properties();
        var urls = new Option<string?>("--urls")
        {
            Description = $"Addresses to listen on, separated by ';' (default {ServingOptions.LocalUrls}, or {ServingEnvironment.Urls})",
        };
        var predictionLog = new Option<string?>("--log-predictions")
        {
            Description = "Append one JSON line per scored record (timestamp, input, output) to this file",
        };
        var maxBody = new Option<string?>("--max-body-bytes")
        {
            Description = "Largest request body; larger ones get 413 (default 1MiB)",
        };
        var command = new Command("serve", "Serve the project's trained model over HTTP: POST /predict and /invocations (MLflow's protocol); GET /health, /ready, /model, /metrics")
        {
            project, urls, predictionLog, maxBody, properties,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var log = new ConsoleLog(verbose: false, json: false);
            ServingOptions options;
            try
            {
                var spec = SpecLoader.Load(ProjectLocator.Find(parse.GetValue(project)), parse.GetValue(properties) ?? []);
                WarnIfStale(spec);
                options = ServingOptions.Resolve(
                    modelDirectory: spec.OutputDirectory,
                    urls: parse.GetValue(urls),
                    predictionLog: parse.GetValue(predictionLog),
                    maxBodyBytes: parse.GetValue(maxBody),
                    lockFile: File.Exists(spec.LockFile) ? spec.LockFile : null,
                    modelName: spec.ProjectName,
                    defaultUrls: ServingOptions.LocalUrls);
            }
            catch (MlopsException error)
            {
                log.Error(error);
                return Task.FromResult(WorkerProtocol.UserErrorExitCode);
            }

            return ServeCommandLine.RunAsync(() => options, cancellationToken);
        });
        return command;
    }

    /// <summary>Serving an old model is allowed (it is what was built), but never silently.</summary>
    private static void WarnIfStale(Spec.ModelSpec spec)
    {
        if (!File.Exists(spec.PathOf(StepOutputs.Model)))
        {
            return;
        }

        try
        {
            var plan = new PipelineRunner(spec, new SilentLog(), worker: null).Plan(StepName.Train);
            if (!plan.UpToDate)
            {
                Console.Error.WriteLine($"warning: the model is out of date ({string.Join("; ", plan.Reasons)}); serving the one built last. Run 'dotnet build' to retrain it");
            }
        }
        catch (MlopsException error)
        {
            // Data that is not checked out, say: the model on disk can still be served.
            Console.Error.WriteLine($"warning: cannot tell whether the model is up to date ({error.Message}); serving the one built last");
        }
    }

    private sealed class SilentLog : IMlopsLog
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
