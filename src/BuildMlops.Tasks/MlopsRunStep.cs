using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using Microsoft.Build.Framework;

namespace BuildMlops.Tasks;

/// <summary>
/// Runs one step of a model project. The up-to-date check happens here, in the MSBuild node, from
/// hashes and the lock file alone, so a no-op build starts no process. A step that must run and needs
/// ML.NET (validate, train, evaluate) runs in the mlops worker process; hashing and gates run here.
/// MSBuild surface: docs/reference.md, targets MlopsHashData … MlopsGate.
/// </summary>
public sealed class MlopsRunStep : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private WorkerProcess? _worker;

    [Required]
    public string SpecFile { get; set; } = "";

    /// <summary>hash-data, validate, train, evaluate or gate.</summary>
    [Required]
    public string Step { get; set; } = "";

    /// <summary>The worker's entry assembly, mlops.dll.</summary>
    [Required]
    public string WorkerPath { get; set; } = "";

    /// <summary>The dotnet executable; MSBuild sets DOTNET_HOST_PATH to the one running the build.</summary>
    public string DotnetHost { get; set; } = "";

    /// <summary>The files the step owns, for FileWrites (MlopsClean, not FileWrites, deletes them: they live beside OutDir).</summary>
    [Output]
    public ITaskItem[] Outputs { get; private set; } = [];

    public void Cancel() => _worker?.Cancel();

    public override bool Execute()
    {
        ModelSpec spec;
        try
        {
            spec = ModelSpecParser.Parse(RawSpec.FromJson(File.ReadAllText(SpecFile)));
        }
        catch (MlopsException error)
        {
            new MSBuildLog(Log, false).Error(error);
            return false;
        }

        var log = new MSBuildLog(Log, spec.GitHubActions);
        var step = StepNames.Parse(Step);
        Outputs = [.. StepOutputs.FileNames(step).Select(name => new Microsoft.Build.Utilities.TaskItem(spec.PathOf(name)))];
        try
        {
            var runner = new PipelineRunner(spec, log, worker: null);
            var heavy = step is StepName.ValidateData or StepName.Train or StepName.Evaluate;
            if (step == StepName.Gate && spec.Gates.Any(gate => gate.Against is not null))
            {
                // Baseline gates read the model registry (maybe S3) and score with ML.NET: worker only.
                return RunWorker(step);
            }

            if (!heavy)
            {
                try
                {
                    runner.Run(step);
                }
                catch (RemoteNeededException needed)
                {
                    // Tracked data must come from a remote only the worker opens (S3): let it fetch.
                    Log.LogMessage(MessageImportance.Normal, $"{step.Target()}: fetching data from remote '{needed.Remote}' in the worker");
                    return RunWorker(step);
                }

                return !Log.HasLoggedErrors;
            }

            var plan = runner.Plan(step);
            if (plan.UpToDate && !spec.Verify)
            {
                log.Important(plan.Describe());
                return true;
            }

            return RunWorker(step);
        }
        catch (MlopsException error)
        {
            log.Error(error);
            return false;
        }
        catch (GateFailedException failures)
        {
            foreach (var failure in failures.Failures)
            {
                log.Error(failure);
            }

            return false;
        }
    }

    private bool RunWorker(StepName step)
    {
        _worker = new WorkerProcess(Log, DotnetHost, WorkerPath);
        return _worker.Run(["step", step.Key(), "--spec", SpecFile], step.Target(), SpecFile);
    }
}
