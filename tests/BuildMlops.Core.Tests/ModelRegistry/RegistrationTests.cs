using System.Globalization;
using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using NUnit.Framework;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>Registering built projects into a folder store: versions, files, dedup, cards, lineage, bad input.</summary>
[TestFixture]
public sealed class RegistrationTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task GivenABuiltProject_WhenRegistered_ThenVersionOneHoldsEveryOutputWithTheHashTheLockFileRecords(bool folderRemote)
    {
        using var workspace = new RegistryWorkspace(folderRemote);
        var project = BuiltProject.Churn(workspace.Root);
        using var store = workspace.Open();

        var version = await store.RegisterAsync(project.Input(), CancellationToken.None);

        Assert.That(version.Model, Is.EqualTo("churn"), "the project file's name, in lower case");
        Assert.That(version.Version, Is.EqualTo(1));
        Assert.That(version.Files.Keys, Is.EquivalentTo(new[] { "card.md", "gates.json", "lineage.json", "metrics.json", "mlops.lock.json", "model.zip", "predictions.csv", "schema.json" }));
        foreach (var name in new[] { StepOutputs.Model, StepOutputs.Metrics, StepOutputs.Schema, StepOutputs.Predictions, StepOutputs.Gates })
        {
            Assert.That(ContentHash.OfFile(workspace.PathOf("churn", 1, name)), Is.EqualTo(ContentHash.OfFile(project.Output(name))), name);
            Assert.That(version.Files[name].Sha256, Is.EqualTo(ContentHash.OfFile(project.Output(name))), name);
        }

        var locked = LockFile.Load(project.Spec.LockFile);
        Assert.That(version.ModelSha256, Is.EqualTo(locked.Stages["train"].Outs["bin/mlops/model.zip"].Sha256));
        Assert.That(File.ReadAllBytes(workspace.PathOf("churn", 1, "mlops.lock.json")), Is.EqualTo(File.ReadAllBytes(project.Spec.LockFile)));
        Assert.That(version.Metrics["auc"], Is.EqualTo(JsonDocument.Parse(File.ReadAllText(project.Output(StepOutputs.Metrics))).RootElement.GetProperty("auc").GetDouble()));
        Assert.That(version.Gates.Passed, Is.True);
        Assert.That(File.ReadAllText(workspace.PathOf("churn", 1, "version.json")), Does.EndWith("}\n").And.Not.Contain("\r"), "deterministic JSON: '\\n' line ends and a final newline");
        Assert.That(store.ConditionalWrites, Is.True, "a folder's creates are atomic");
        if (!folderRemote)
        {
            Assert.That(File.ReadAllText(Path.Combine(workspace.RegistryFolder, ".gitignore")), Does.Contain("*\n"), "the local registry is never committed");
        }
    }

    [Test]
    public async Task GivenTheSameBytes_WhenRegisteredAgain_ThenTheExistingVersionIsReturnedAndNothingIsWritten()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        using var store = workspace.Open();
        var first = await store.RegisterAsync(project.Input(), CancellationToken.None);
        var before = workspace.Snapshot();

        var again = await store.RegisterWithOutcomeAsync(project.Input(), CancellationToken.None);

        Assert.That(again.Created, Is.False);
        Assert.That(again.Version.Version, Is.EqualTo(first.Version));
        Assert.That(workspace.Snapshot(), Is.EqualTo(before));
        Assert.That(workspace.Log.Lines, Has.Some.Contains("churn version 1 already holds these bytes"));
    }

    [Test]
    public async Task GivenBuildsWithDifferentSeeds_WhenEachIsRegistered_ThenVersionsCountUpFromOneAndLatestIsTheLast()
    {
        using var workspace = new RegistryWorkspace();
        using var store = workspace.Open();
        var versions = new List<int>();
        foreach (var seed in new[] { 42, 7, 11 })
        {
            var project = BuiltProject.Churn(workspace.Root, seed: seed);
            versions.Add((await store.RegisterAsync(project.Input(), CancellationToken.None)).Version);
        }

        Assert.That(versions, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That((await store.ResolveAsync("churn", "latest", CancellationToken.None))!.Version, Is.EqualTo(3));
        Assert.That((await store.ResolveAsync("churn", "2", CancellationToken.None))!.Version, Is.EqualTo(2));
        Assert.That(await store.ListModelsAsync(CancellationToken.None), Is.EqualTo(new[] { "churn" }));
        var listing = await store.ListVersionsAsync("churn", CancellationToken.None);
        Assert.That(listing.Versions.Select(version => version.Version), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(listing.Incomplete, Is.Empty);
    }

    [Test]
    public async Task GivenANameInTheSpecOrGiven_WhenRegistered_ThenThatNameIsUsed()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        project.Raw.Properties[RegistrationInput.ModelNameProperty] = "telco-churn";
        using var store = workspace.Open();

        Assert.That((await store.RegisterAsync(project.Input(), CancellationToken.None)).Model, Is.EqualTo("telco-churn"));
        Assert.That((await store.RegisterAsync(project.Input("churn.v2"), CancellationToken.None)).Model, Is.EqualTo("churn.v2"));
        Assert.That(await store.ListModelsAsync(CancellationToken.None), Is.EqualTo(new[] { "churn.v2", "telco-churn" }));
    }

    [Test]
    public async Task GivenABinaryModel_WhenRegistered_ThenItsCardShowsDataTrainingMetricsGatesTheConfusionMatrixSchemaAndLineage()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        using var store = workspace.Open();
        var version = await store.RegisterAsync(project.Input(), CancellationToken.None);

        var card = await store.ReadCardAsync(version, CancellationToken.None);

        Assert.That(card, Does.StartWith("# Model card: churn, version 1\n"));
        Assert.That(card, Does.Contain("A binary classifier of `churn`: the probability that it is `Yes`, the positive class (the other class is `No`)."));
        Assert.That(card, Does.Contain($"| data/wa_churn.csv | `{ContentHash.OfFile(project.Spec.DataFiles[0].FullPath)}` | 975,663 |"));
        Assert.That(card, Does.Contain("7,043 usable rows"));
        Assert.That(card, Does.Contain("| No | 5,174 | 73.5 % |").And.Contain("| Yes | 1,869 | 26.5 % |"), "label balance from schema.json");
        Assert.That(card, Does.Contain("| total_charges | 11 |"), "missing values from schema.json");
        Assert.That(card, Does.Contain("| trainer | `FastTree` |").And.Contain("| seed | `42` |").And.Contain("| test fraction | `0.2` |"));
        Assert.That(card, Does.Contain($"| auc | {version.Metrics["auc"].ToString("0.0000", CultureInfo.InvariantCulture)} |"));
        Assert.That(card, Does.Not.Contain("interval"), "no intervals in metrics.json, no interval column");
        Assert.That(card, Does.Contain("| auc | ").And.Contain("| min 0.7 | passed |"));
        Assert.That(card, Does.Contain("| tenure | numeric | 0 | 0 | 72 |").And.Contain("| contract | text | 0 |"));
        Assert.That(card, Does.Contain("| git commit | not in a git work tree |"));
        Assert.That(card, Does.Contain($"| ML.NET (trained with) | {ToolVersions.MlNet} |"));

        // The confusion matrix, counted here from predictions.csv independently of the registry.
        var rows = File.ReadAllLines(project.Output(StepOutputs.Predictions)).Skip(1).Select(line => line.Split(',')).ToList();
        long Count(string truth, string predicted) => rows.Count(row => row[2] == truth && row[3] == predicted);
        Assert.That(card, Does.Contain($"## Confusion matrix (test split, {rows.Count.ToString("N0", CultureInfo.InvariantCulture)} rows)"));
        Assert.That(card, Does.Contain($"| No | {Count("No", "No"):N0} | {Count("No", "Yes"):N0} |"));
        Assert.That(card, Does.Contain($"| Yes | {Count("Yes", "No"):N0} | {Count("Yes", "Yes"):N0} |"));
    }

    [Test]
    public async Task GivenARegressionModel_WhenRegistered_ThenItsCardSummarisesTheResiduals()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Concrete(workspace.Root);
        using var store = workspace.Open();
        var version = await store.RegisterAsync(project.Input(), CancellationToken.None);

        var card = await store.ReadCardAsync(version, CancellationToken.None);

        var residuals = project.Residuals().Order().ToArray();
        var mean = residuals.Average();
        var std = Math.Sqrt(residuals.Sum(residual => (residual - mean) * (residual - mean)) / (residuals.Length - 1));
        var median = residuals.Length % 2 == 1 ? residuals[residuals.Length / 2] : (residuals[(residuals.Length / 2) - 1] + residuals[residuals.Length / 2]) / 2;
        string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
        Assert.That(card, Does.Contain("A regression of `compressive_strength`: a number."));
        Assert.That(card, Does.Contain($"## Residuals (test split, {residuals.Length} rows)"));
        Assert.That(card, Does.Contain($"| {F(mean)} | {F(std)} | {F(residuals[0])} |"));
        Assert.That(card, Does.Contain($"| {F(median)} |").And.Contain($"| {F(residuals[^1])} |"));
        Assert.That(card, Does.Not.Contain("Confusion matrix"));
    }

    [Test]
    public async Task GivenIntervalsInMetricsJson_WhenRegistered_ThenTheCardShowsThemInTheirColumn()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        var metricsPath = project.Output(StepOutputs.Metrics);
        var metrics = File.ReadAllText(metricsPath).TrimEnd().TrimEnd('}').TrimEnd() + ",\n  \"intervals\": { \"auc\": { \"lower\": 0.61, \"upper\": 0.69, \"level\": 0.95 } }\n}\n";
        File.WriteAllText(metricsPath, metrics);
        RelockEvaluate(project);
        using var store = workspace.Open();

        var version = await store.RegisterAsync(project.Input(), CancellationToken.None);
        var card = await store.ReadCardAsync(version, CancellationToken.None);

        Assert.That(card, Does.Contain("| metric | value | 95 % interval |"));
        Assert.That(card, Does.Contain(" [0.6100, 0.6900] |"));
        Assert.That(version.Metrics.Keys, Does.Not.Contain("intervals"), "an interval is no metric");
    }

    [Test]
    public void GivenAProjectWithoutAModel_WhenRegistered_ThenBM8006AndTheRegistryIsUntouched()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        File.Delete(project.Output(StepOutputs.Model));

        var error = Assert.Throws<MlopsException>(() => project.Input());

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.NotRegistrable));
        Assert.That(error.Message, Does.Contain("bin/mlops/model.zip is missing"));
        Assert.That(Directory.Exists(workspace.RegistryFolder), Is.False);
    }

    [Test]
    public void GivenAnOutputThatIsNotTheOneTheLockFileRecords_WhenRegistered_ThenBM8006()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        File.AppendAllText(project.Output(StepOutputs.Predictions), "data/wa_churn.csv,9999,No,No,0.1,-2\n");

        var error = Assert.Throws<MlopsException>(() => project.Input());

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.NotRegistrable));
        Assert.That(error.Message, Does.Contain("bin/mlops/predictions.csv is not the output mlops.lock.json records"));
    }

    [Test]
    public void GivenGatesJsonOfOtherMetrics_WhenRegistered_ThenBM8006SaysToRunTheGateStep()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        File.WriteAllText(project.Output(StepOutputs.Gates), "[\n  {\n    \"metric\": \"auc\",\n    \"value\": 0.5,\n    \"min\": 0.7,\n    \"passed\": false\n  }\n]\n");
        var locked = LockFile.Load(project.Spec.LockFile);
        locked.Stages.Remove("gate");
        locked.Save(project.Spec.LockFile);

        var error = Assert.Throws<MlopsException>(() => project.Input());

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.NotRegistrable));
        Assert.That(error.Help, Does.Contain("Run the gate step"));
    }

    [TestCase("Churn Model")]
    [TestCase("../churn")]
    [TestCase(".hidden")]
    public void GivenAnInvalidModelName_WhenRegistered_ThenBM8009(string name)
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);

        var error = Assert.Throws<MlopsException>(() => project.Input(name));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.BadRegistryName));
    }

    /// <summary>After editing metrics.json by hand, record it as the evaluate step would have.</summary>
    private static void RelockEvaluate(BuiltProject project)
    {
        var locked = LockFile.Load(project.Spec.LockFile);
        locked.Stages["evaluate"].Outs["bin/mlops/metrics.json"] = new OutputRecord(ContentHash.OfFile(project.Output(StepOutputs.Metrics)), new FileInfo(project.Output(StepOutputs.Metrics)).Length);
        locked.Stages.Remove("gate");
        locked.Save(project.Spec.LockFile);
    }
}
