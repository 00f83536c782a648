using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Testing;

namespace BuildMlops.Training.Tests;

/// <summary>
/// A temporary model project driven in-process through <see cref="PipelineRunner"/> and the real
/// <see cref="TrainingStepWorker"/>, without MSBuild: the same code path as the worker process.
/// </summary>
internal sealed class StepWorkspace : IDisposable
{
    private readonly TemporaryDirectory _directory = new("steps");

    public StepWorkspace(string dataFile, string label, string task, IReadOnlyDictionary<string, string>? properties = null, int? takeRows = null)
    {
        Directory.CreateDirectory(_directory.Combine("data"));
        var lines = File.ReadLines(dataFile);
        File.WriteAllLines(_directory.Combine("data", "data.csv"), takeRows is { } rows ? lines.Take(rows + 1) : lines);
        Raw = SpecFactory.Raw(_directory.Path, label, task, ["data/data.csv"], properties);
    }

    public RawSpec Raw { get; }

    public ModelSpec Spec => ModelSpecParser.Parse(Raw);

    public RecordingLog Log { get; } = new();

    public string Output(string fileName) => Spec.PathOf(fileName);

    public string DataFile => _directory.Combine("data", "data.csv");

    public IReadOnlyList<StepResult> RunThrough(StepName step) => new PipelineRunner(Spec, Log, new TrainingStepWorker()).RunThrough(step);

    public void Dispose() => _directory.Dispose();
}
