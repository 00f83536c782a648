using System.Text;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Core.Tests;

/// <summary>
/// A stand-in for the ML.NET steps with the same contract: writes each output, from what it depends
/// on, deterministically. Lets the planner's rules be tested in milliseconds.
/// </summary>
internal sealed class FakeWorker : IStepWorker
{
    public List<StepName> Ran { get; } = [];

    /// <summary>Set to make the next model differ, as a nondeterministic trainer's would.</summary>
    public string Salt { get; set; } = "";

    public void Execute(StepName step, ModelSpec spec, IReadOnlyDictionary<string, string> outputs, IMlopsLog log)
    {
        Ran.Add(step);
        foreach (var (name, path) in outputs)
        {
            // Each output depends only on what its step's dependencies cover, as with the real steps.
            var data = File.ReadAllText(spec.DataFiles[0].FullPath);
            var content = name switch
            {
                "metrics.json" => "{\"auc\": 0.8}\n",
                "model.zip" => $"model seed={spec.Seed} trainer={spec.Trainer} data={data}{Salt}",
                _ => $"{name} data={data}",
            };
            File.WriteAllText(path, content, Encoding.UTF8);
        }
    }
}
