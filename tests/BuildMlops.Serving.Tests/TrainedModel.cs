using BuildMlops.Data;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Testing;
using BuildMlops.ValidateData;

namespace BuildMlops.Serving.Tests;

/// <summary>
/// A model trained for the tests the way a build trains it: one of the example pipelines' data in a
/// temporary project, run through validate, train and evaluate by <see cref="PipelineRunner"/> and the
/// real <see cref="TrainingStepWorker"/> (as in BuildMlops.Training.Tests' StepWorkspace), which leaves
/// bin/mlops/ (model.zip, schema.json, metrics.json, predictions.csv) and mlops.lock.json.
/// </summary>
internal sealed class TrainedModel : IDisposable
{
    private readonly TemporaryDirectory _directory;

    private TrainedModel(string name, TemporaryDirectory directory, ModelSpec spec)
    {
        Name = name;
        _directory = directory;
        Spec = spec;
    }

    public string Name { get; }

    public ModelSpec Spec { get; }

    public string ModelDirectory => Spec.OutputDirectory;

    public string DataFile => _directory.Combine("data", "data.csv");

    public string Scratch(string name) => _directory.Combine(name);

    public static TrainedModel Train(string name, string pipeline, string file, string label, string task, IReadOnlyDictionary<string, string> properties)
    {
        var directory = new TemporaryDirectory("serving-" + name);
        Directory.CreateDirectory(directory.Combine("data"));
        File.Copy(RepoLayout.PipelineData(pipeline, file), directory.Combine("data", "data.csv"));
        var spec = ModelSpecParser.Parse(SpecFactory.Raw(directory.Path, label, task, ["data/data.csv"], properties));
        new PipelineRunner(spec, new NullLog(), new TrainingStepWorker()).RunThrough(StepName.Evaluate);
        return new TrainedModel(name, directory, spec);
    }

    /// <summary>The test split's rows: as the model saw them, and as their CSV records (for requests).</summary>
    public (PreparedData Rows, IReadOnlyList<(string Header, string Cell)[]> Records) TestSplit()
    {
        var (data, _) = DataPreparer.Prepare(Spec, new NullLog());
        var (_, testRows) = DataSplit.Split(data.Count, Spec.TestFraction, Spec.Seed);
        var test = data.Select(testRows);
        var table = CsvReader.Read(DataFile, "data/data.csv", Spec.Separator);
        var byLine = table.Records.ToDictionary(record => record.Line);
        var records = test.Lines
            .Select(line => table.Header.Select((header, i) => (header, byLine[line].Fields[i])).ToArray())
            .ToList();
        return (test, records);
    }

    public void Dispose() => _directory.Dispose();

    private sealed class NullLog : IMlopsLog
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
