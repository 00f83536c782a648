using Microsoft.Build.Framework;

namespace BuildMlops.Tasks;

/// <summary>
/// Runs one mlops command for the build in the worker process, e.g. <c>registry register</c>: work
/// that talks to remotes and has no up-to-date check of its own in the node. The command gets
/// <c>--spec</c> and <c>--worker</c> and reports in the worker protocol.
/// MSBuild surface: docs/reference.md, target MlopsRegister.
/// </summary>
public sealed class MlopsWorkerCommand : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private WorkerProcess? _worker;

    [Required]
    public string SpecFile { get; set; } = "";

    /// <summary>The mlops command's words, space-separated, e.g. "registry register".</summary>
    [Required]
    public string Command { get; set; } = "";

    /// <summary>The target that runs it, for messages.</summary>
    [Required]
    public string TargetName { get; set; } = "";

    [Required]
    public string WorkerPath { get; set; } = "";

    public string DotnetHost { get; set; } = "";

    public void Cancel() => _worker?.Cancel();

    public override bool Execute()
    {
        _worker = new WorkerProcess(Log, DotnetHost, WorkerPath);
        return _worker.Run([.. Command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--spec", SpecFile, "--worker"], TargetName, SpecFile);
    }
}
