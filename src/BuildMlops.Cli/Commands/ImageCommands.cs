using System.CommandLine;
using BuildMlops.Cli.Projects;
using BuildMlops.Data;
using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Images.Docker;
using BuildMlops.Images.Package;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops image build|push [project]</c>: the model image, as <c>dotnet build -t:MlopsPackage</c>
/// and <c>-t:MlopsPush</c> make it. For a project, the model's steps run first (each only if its
/// inputs changed); with <c>--spec</c>, as the SDK's MlopsImage task calls it, only the image step
/// runs and the output speaks <see cref="WorkerProtocol"/>.
/// </summary>
internal static class ImageCommands
{
    public static Command Create()
    {
        var command = new Command("image", "Build a model's OCI image without a Docker daemon, and push it to a registry");
        command.Subcommands.Add(Action("build", "Train the model if needed, then write its OCI image to bin/mlops/image/ (layout folder, image.tar, image.json)", ImageAction.Build));
        command.Subcommands.Add(Action("push", "Build the image if needed, then push it to MlopsImageRegistry/MlopsImageRepository with its tags", ImageAction.Push));
        command.Subcommands.Add(Action("load", "Build the image if needed, then load it into a Docker-compatible engine (DOCKER_HOST or the default socket) as name:tag", ImageAction.Load));
        command.Subcommands.Add(Action("smoke-test", "Build and load the image, run it in the engine, and check /health and /predict with a row of the training data", ImageAction.SmokeTest));
        return command;
    }

    private enum ImageAction
    {
        Build,
        Push,
        Load,
        SmokeTest,
    }


    private static Command Action(string name, string description, ImageAction action)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var properties = CommonOptions.Properties();
        var spec = new Option<FileInfo?>("--spec") { Description = "The spec.json the SDK's MlopsWriteSpec target wrote (used by MSBuild)", Hidden = true };
        var worker = new Option<bool>("--worker") { Description = "Report in the MSBuild worker protocol (used by MSBuild)", Hidden = true };
        var command = new Command(name, description) { project, json, properties, spec, worker };
        command.SetAction((parse, cancellation) =>
        {
            var specFile = parse.GetValue(spec);
            if (parse.GetValue(worker) && specFile is not null)
            {
                return RunForBuild(specFile.FullName, action, cancellation);
            }

            return Task.FromResult(CliAction.Run(parse.GetValue(json), log =>
            {
                var projectFile = ProjectLocator.Find(parse.GetValue(project));
                var raw = SpecLoader.LoadRaw(projectFile, parse.GetValue(properties) ?? []);
                var model = ModelSpecParser.Parse(raw);
                var packager = new ModelPackager(model, ImageSettings.Parse(raw, model), log, Environment.GetEnvironmentVariable);
                RunModelSteps(model, log);
                packager.PackageAsync(cancellation).GetAwaiter().GetResult();
                return RunAction(packager, action, log, cancellation).GetAwaiter().GetResult();
            }));
        });
        return command;
    }

    /// <summary>The model's steps through the gates: an image is only made of a model that passed them.</summary>
    private static void RunModelSteps(ModelSpec model, IMlopsLog log)
    {
        using var runCache = RunCacheFactory.For(model, log);
        var runner = new PipelineRunner(model, log, new TrainingStepWorker(), runCache, baselines: new RegistryBaselineProvider(log));
        try
        {
            foreach (var step in StepNames.InOrder)
            {
                runner.Run(step);
            }
        }
        catch (GateFailedException failures)
        {
            foreach (var failure in failures.Failures.Skip(1))
            {
                log.Error(failure);
            }

            throw failures.Failures[0];
        }
    }

    /// <summary>What follows packaging; returns what --json reports.</summary>
    private static async Task<object> RunAction(ModelPackager packager, ImageAction action, IMlopsLog log, CancellationToken cancellation)
    {
        switch (action)
        {
            case ImageAction.Push:
                return await packager.PushAsync(cancellation).ConfigureAwait(false);
            case ImageAction.Load:
                var loaded = await PackagedImageInDocker.LoadAsync(packager, log, Environment.GetEnvironmentVariable, cancellation).ConfigureAwait(false);
                return new { image = loaded.Image, id = loaded.Id, digest = loaded.Digest };
            case ImageAction.SmokeTest:
                return await PackagedImageInDocker.SmokeTestAsync(packager, SampleRecord.FromTrainingData(packager.Model), log, Environment.GetEnvironmentVariable, cancellation).ConfigureAwait(false);

            default:
                return ImageSummary.TryRead(packager.Settings.SummaryPath)!;
        }
    }

    private static async Task<int> RunForBuild(string specFile, ImageAction action, CancellationToken cancellation)
    {
        var gitHub = string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
        var log = new WorkerProtocol.Writer(Console.Out, gitHub);
        try
        {
            var raw = RawSpec.FromJson(await File.ReadAllTextAsync(specFile, cancellation).ConfigureAwait(false));
            var model = ModelSpecParser.Parse(raw);
            var packager = new ModelPackager(model, ImageSettings.Parse(raw, model), log, Environment.GetEnvironmentVariable);
            if (action == ImageAction.Build)
            {
                await packager.PackageAsync(cancellation).ConfigureAwait(false);
            }
            else
            {
                // MSBuild ran MlopsPackage before this target.
                await RunAction(packager, action, log, cancellation).ConfigureAwait(false);
            }

            return 0;
        }
        catch (MlopsException error)
        {
            log.Error(error);
            return WorkerProtocol.UserErrorExitCode;
        }
    }
}
