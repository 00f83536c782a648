using BuildMlops.Diagnostics;
using BuildMlops.Images.Package;
using BuildMlops.Spec;
using Microsoft.Build.Framework;

namespace BuildMlops.Tasks;

/// <summary>
/// The image targets of a model project: package, push, docker-load and smoke-test. The package
/// step's up-to-date check runs here, from the stat cache and image.json alone, so an unchanged image
/// starts no process and asks no registry; everything else (pulling the base, writing layers,
/// talking to registries and engines) runs in the mlops worker.
/// MSBuild surface: docs/reference.md, targets MlopsPackage, MlopsPush, MlopsDockerLoad, MlopsSmokeTest.
/// </summary>
public sealed class MlopsImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private WorkerProcess? _worker;

    [Required]
    public string SpecFile { get; set; } = "";

    /// <summary>package, push, docker-load or smoke-test.</summary>
    [Required]
    public string Action { get; set; } = "";

    [Required]
    public string WorkerPath { get; set; } = "";

    public string DotnetHost { get; set; } = "";

    /// <summary>The image's digest (sha256:…) after package or push.</summary>
    [Output]
    public string Digest { get; private set; } = "";

    /// <summary>The files the step owns, for FileWrites.</summary>
    [Output]
    public ITaskItem[] Outputs { get; private set; } = [];

    public void Cancel() => _worker?.Cancel();

    public override bool Execute()
    {
        if (Action is not ("package" or "push" or "docker-load" or "smoke-test"))
        {
            Log.LogError($"MlopsImage: unknown action '{Action}' (package, push, docker-load or smoke-test)");
            return false;
        }

        MSBuildLog? log = null;
        try
        {
            var raw = RawSpec.FromJson(File.ReadAllText(SpecFile));
            var model = ModelSpecParser.Parse(raw);
            log = new MSBuildLog(Log, model.GitHubActions);
            var settings = ImageSettings.Parse(raw, model);
            Outputs = [new Microsoft.Build.Utilities.TaskItem(settings.SummaryPath), new Microsoft.Build.Utilities.TaskItem(settings.TarPath)];
            if (Action == "package" && new ModelPackager(model, settings, log, Environment.GetEnvironmentVariable).IsUpToDate(out var summary))
            {
                log.Important($"MlopsPackage: up to date ({settings.Name}:{settings.Tag} {summary!.Digest})");
                Digest = summary.Digest;
                return true;
            }

            _worker = new WorkerProcess(Log, DotnetHost, WorkerPath);
            var command = Action switch { "package" => "build", "docker-load" => "load", _ => Action };
            var target = Action switch { "package" => "MlopsPackage", "push" => "MlopsPush", "docker-load" => "MlopsDockerLoad", _ => "MlopsSmokeTest" };
            var succeeded = _worker.Run(["image", command, "--spec", SpecFile, "--worker"], target, SpecFile);
            Digest = (Action == "push" ? null : ImageSummary.TryRead(settings.SummaryPath)?.Digest) ?? "";
            return succeeded;
        }
        catch (MlopsException error)
        {
            (log ?? new MSBuildLog(Log, false)).Error(error);
            return false;
        }
    }
}
