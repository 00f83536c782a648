using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>The incremental rules: what makes a step run, what does not, and what is recorded.</summary>
[TestFixture]
public sealed class PipelineRunnerTests
{
    private TemporaryDirectory _directory = null!;
    private FakeWorker _worker = null!;
    private RecordingLog _log = null!;

    [SetUp]
    public void CreateProject()
    {
        _directory = new TemporaryDirectory("runner");
        Directory.CreateDirectory(_directory.Combine("data"));
        File.WriteAllText(_directory.Combine("data", "x.csv"), "a,y\n1,0\n");
        _worker = new FakeWorker();
        _log = new RecordingLog();
    }

    [TearDown]
    public void DeleteProject() => _directory.Dispose();

    [Test]
    public void GivenAFreshProject_WhenRunThroughGate_ThenEveryStepRunsOnceAndTheLockRecordsThem()
    {
        Runner().RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.EqualTo(new[] { StepName.ValidateData, StepName.Train, StepName.Evaluate }));
        var lockFile = LockFile.Load(_directory.Combine("mlops.lock.json"));
        Assert.That(lockFile.Stages.Keys, Is.EquivalentTo(new[] { "validate", "train", "evaluate", "gate" }));
        Assert.That(lockFile.Stage(StepName.Train)!.Outs.Keys, Is.EqualTo(new[] { "bin/mlops/model.zip" }));
        Assert.That(lockFile.Stage(StepName.Evaluate)!.Deps.Keys, Does.Contain("in:bin/mlops/model.zip"));
    }

    [Test]
    public void GivenAnUpToDateProject_WhenRunAgain_ThenNothingRuns()
    {
        Runner().RunThrough(StepName.Gate);
        _worker.Ran.Clear();

        var results = Runner().RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.Empty);
        Assert.That(results.Any(result => result.Ran), Is.False);
    }

    [Test]
    public void GivenNewDataBytes_WhenRunAgain_ThenEveryStepRunsAndSaysTheDataChanged()
    {
        Runner().RunThrough(StepName.Gate);
        File.WriteAllText(_directory.Combine("data", "x.csv"), "a,y\n2,1\n");
        _worker.Ran.Clear();

        Runner().RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.EqualTo(new[] { StepName.ValidateData, StepName.Train, StepName.Evaluate }));
        Assert.That(_log.Lines, Has.Some.Match(@"^MlopsTrain: running because data data/x\.csv changed \([0-9a-f]{12} -> [0-9a-f]{12}\)$"));
    }

    [Test]
    public void GivenAnEqualRewriteOfTheData_WhenRunAgain_ThenNothingRuns()
    {
        Runner().RunThrough(StepName.Gate);
        File.WriteAllText(_directory.Combine("data", "x.csv"), "a,y\n1,0\n");
        File.SetLastWriteTimeUtc(_directory.Combine("data", "x.csv"), DateTime.UtcNow.AddMinutes(1));
        _worker.Ran.Clear();

        Runner().RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.Empty);
        Assert.That(_log.Lines, Has.Some.EqualTo("MlopsHashData: hashed data/x.csv (touched, content unchanged) (1 file, 8 bytes)"));
    }

    [Test]
    public void GivenANewTrainer_WhenRunAgain_ThenValidationIsSkippedAndTrainingSaysWhy()
    {
        Runner().RunThrough(StepName.Gate);
        _worker.Ran.Clear();

        Runner((SettingNames.Trainer, "LightGbm")).RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.EqualTo(new[] { StepName.Train, StepName.Evaluate }));
        Assert.That(_log.Lines, Does.Contain("MlopsTrain: running because MlopsTrainer changed from 'FastTree' to 'LightGbm'"));
        Assert.That(_log.Lines, Has.Some.StartsWith("MlopsEvaluate: running because input bin/mlops/model.zip changed"));
    }

    [Test]
    public void GivenADeletedModel_WhenRunAgain_ThenTrainingRunsAndEvaluationDoesNotWhenTheBytesAreTheSame()
    {
        Runner().RunThrough(StepName.Gate);
        File.Delete(_directory.Combine("bin", "mlops", "model.zip"));
        _worker.Ran.Clear();

        Runner().RunThrough(StepName.Gate);

        Assert.That(_worker.Ran, Is.EqualTo(new[] { StepName.Train }), "the same model bytes leave evaluation up to date");
        Assert.That(_log.Lines, Does.Contain("MlopsTrain: running because output bin/mlops/model.zip is missing"));
    }

    [Test]
    public void GivenAWorkerThatFails_WhenRun_ThenNoOutputOrTemporaryFileIsLeftAndTheLockIsUnchanged()
    {
        var failing = new ThrowingWorker();

        Assert.Throws<MlopsException>(() => new PipelineRunner(Spec(), _log, failing).RunThrough(StepName.Train));

        Assert.That(Directory.GetFiles(_directory.Combine("bin", "mlops")), Is.Empty);
        Assert.That(File.Exists(_directory.Combine("mlops.lock.json")), Is.False);
    }

    [Test]
    public void GivenABuildThatTrains_WhenItIsRunAgain_ThenOutcomesJsonSaysRanThenUpToDate()
    {
        var spec = Spec();
        new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Gate);

        Assert.That(StepNames.InOrder.Skip(1).Select(step => StepOutcomes.Read(spec.IntermediateDirectory, step)), Is.All.EqualTo(StepOutcome.Ran));
        Assert.That(StepOutcomes.Read(spec.IntermediateDirectory, StepName.HashData), Is.Null, "hash-data has no outputs to get");

        new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Gate);

        Assert.That(StepOutcomes.Read(spec.IntermediateDirectory, StepName.Train), Is.EqualTo(StepOutcome.UpToDate));
        Assert.That(File.ReadAllText(StepOutcomes.PathIn(spec.IntermediateDirectory)), Does.StartWith("{\n  \"validate\": {\n    \"outcome\": \"up_to_date\"\n  },"));
    }

    [Test]
    public void GivenATrainedModel_WhenTheNextBuildFailsBeforeTraining_ThenOutcomesJsonNoLongerClaimsATrainedModel()
    {
        var spec = Spec();
        new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Train);
        File.WriteAllText(_directory.Combine("data", "x.csv"), "a,y\n2,1\n");

        Assert.Throws<MlopsException>(() => new PipelineRunner(spec, _log, new ThrowingWorker()).RunThrough(StepName.Train));

        Assert.That(StepOutcomes.Read(spec.IntermediateDirectory, StepName.ValidateData), Is.Null);
        Assert.That(StepOutcomes.Read(spec.IntermediateDirectory, StepName.Train), Is.Null, "validation failed, so the model on disk is not this build's");
    }

    [Test]
    public void GivenVerifyAndANondeterministicRun_WhenVerified_ThenBM3001AndTheOutputsAreKept()
    {
        Runner().RunThrough(StepName.Gate);
        var model = File.ReadAllText(_directory.Combine("bin", "mlops", "model.zip"));
        _worker.Salt = "different";

        var error = Assert.Throws<MlopsException>(() => Runner((SettingNames.Verify, "true")).RunThrough(StepName.Gate))!;

        Assert.That(error.Code, Is.EqualTo("BM3001"));
        Assert.That(error.Message, Does.StartWith("MlopsTrain did not reproduce the lock file: bin/mlops/model.zip (locked "));
        Assert.That(File.ReadAllText(_directory.Combine("bin", "mlops", "model.zip")), Is.EqualTo(model));
    }

    [Test]
    public void GivenVerifyWithChangedParameters_WhenVerified_ThenBM3001SaysTheLockIsOutOfDate()
    {
        Runner().RunThrough(StepName.Gate);

        var error = Assert.Throws<MlopsException>(() => Runner((SettingNames.Verify, "true"), (SettingNames.Seed, "1")).RunThrough(StepName.Gate))!;

        Assert.That(error.Message, Is.EqualTo("mlops.lock.json is out of date for MlopsTrain: MlopsSeed changed from '42' to '1'"));
    }

    [Test]
    public void GivenAFailingGate_WhenRunTwice_ThenBothFailAndTheLockHasNoGateEntry()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Min", "0.9"));
        var spec = ModelSpecParser.Parse(raw);

        var first = Assert.Throws<GateFailedException>(() => new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Gate))!;
        Assert.Throws<GateFailedException>(() => new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Gate));

        Assert.That(first.Failures.Single().Message, Is.EqualTo("gate failed: auc 0.8000 < 0.9 (project model)"));
        Assert.That(LockFile.Load(spec.LockFile).Stage(StepName.Gate), Is.Null);
        Assert.That(File.ReadAllText(spec.PathOf("gates.json")), Does.Contain("\"passed\": false"));
    }

    [Test]
    public void GivenTwoGatesOnOneMetric_WhenTheSecondFails_ThenBM2001PointsAtTheSecondGatesLine()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Min", "0.5"));
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Min", "0.9"));
        var spec = ModelSpecParser.Parse(raw);
        File.WriteAllText(spec.ProjectFile, """
            <Project Sdk="BuildMlops.Sdk/0.1.0">
              <ItemGroup>
                <MlopsData Include="data/x.csv" />
                <MlopsGate Include="auc" Min="0.5" />
                <MlopsGate Include="auc" Min="0.9" />
              </ItemGroup>
            </Project>
            """);

        var failed = Assert.Throws<GateFailedException>(() => new PipelineRunner(spec, _log, _worker).RunThrough(StepName.Gate))!;

        Assert.That(failed.Failures.Single().Location, Is.EqualTo(new SourceLocation(spec.ProjectFile, 5, 16)));
    }

    [Test]
    public void GivenAProductionModelThatCannotScoreTheData_WhenGatedAgainstIt_ThenTheGatePassesWithBM2004SayingWhy()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("MaxDrop", "0.01"), ("Against", "production"));
        var spec = ModelSpecParser.Parse(raw);

        new PipelineRunner(spec, _log, _worker, baselines: new UnscorableBaseline()).RunThrough(StepName.Gate);

        Assert.That(_log.Lines, Does.Contain("warning BM2004: auc against production (version 3) cannot score this data: it needs column 'tenure', so the two models cannot be compared on the same rows (new 0.8000); passes"));
        Assert.That(File.ReadAllText(spec.PathOf("gates.json")), Does.Contain("\"verdict\": \"not_comparable\"").And.Contain("\"passed\": true"));
    }

    [Test]
    public void GivenTwoGatesOnOneMetric_WhenEitherBoundChanges_ThenTheGateRunsAgain()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Min", "0.5"));
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc", ("Max", "0.9"));

        var deps = StepDependencies.For(StepName.Gate, ModelSpecParser.Parse(raw), new Dictionary<string, string>(), _ => "x");

        Assert.That(deps["gate:auc"], Is.EqualTo("min=0.5; max=0.9"));
    }

    [Test]
    public void GivenDataFilesInANewOrder_WhenPlanned_ThenTheStepsRunAgain()
    {
        File.WriteAllText(_directory.Combine("data", "z.csv"), "a,y\n3,1\n");
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.DataItem, "data/z.csv");
        new PipelineRunner(ModelSpecParser.Parse(raw), _log, _worker).RunThrough(StepName.Gate);
        raw.Items[SettingNames.DataItem].Reverse();

        var plan = new PipelineRunner(ModelSpecParser.Parse(raw), _log, _worker).Plan(StepName.Train);

        Assert.That(plan.Reasons, Is.EqualTo(new[] { "MlopsData changed from 'data/x.csv;data/z.csv' to 'data/z.csv;data/x.csv'" }));
    }

    private RawSpec Raw(params (string Name, string Value)[] overrides) =>
        SpecFactory.Raw(_directory.Path, "y", "binary", ["data/x.csv"], overrides.ToDictionary(pair => pair.Name, pair => pair.Value));

    private ModelSpec Spec(params (string Name, string Value)[] overrides) => ModelSpecParser.Parse(Raw(overrides));

    private PipelineRunner Runner(params (string Name, string Value)[] overrides) => new(Spec(overrides), _log, _worker);

    /// <summary>A production model trained on a column the current data no longer has.</summary>
    private sealed class UnscorableBaseline : IBaselineProvider
    {
        public BaselineModel? Resolve(ModelSpec spec, string alias) => new(alias, "3", new string('a', 64), Path.Combine(spec.IntermediateDirectory, "baseline", "model-v3"));

        public void Score(ModelSpec spec, BaselineModel baseline, string predictionsPath) => throw new BaselineNotScorableException("it needs column 'tenure'");
    }

    private sealed class ThrowingWorker : IStepWorker
    {
        public void Execute(StepName step, ModelSpec spec, IReadOnlyDictionary<string, string> outputs, IMlopsLog log)
        {
            foreach (var path in outputs.Values)
            {
                File.WriteAllText(path, "half");
            }

            throw new MlopsException(ErrorCodes.TextInNumericColumn, new SourceLocation("x.csv", 2), "bad cell");
        }
    }
}
