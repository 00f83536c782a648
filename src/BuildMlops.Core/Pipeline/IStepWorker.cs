using BuildMlops.Spec;

namespace BuildMlops.Pipeline;

/// <summary>
/// Does a step's actual work (validate, train, evaluate): reads the spec and writes each output to the
/// temporary path given for it. <see cref="PipelineRunner"/> decides whether to call it, then hashes
/// and renames the outputs and records them in the lock file. BuildMlops.Training implements it.
/// </summary>
public interface IStepWorker
{
    /// <param name="outputs">Output file name (e.g. <c>model.zip</c>) to the temporary path to write.</param>
    void Execute(StepName step, ModelSpec spec, IReadOnlyDictionary<string, string> outputs, IMlopsLog log);
}
