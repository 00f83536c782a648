using System.Globalization;
using System.Text;
using System.Text.Json;
using BuildMlops.Data;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

/// <summary>Small data that real projects run into: rare classes, tiny splits, a label among the features.</summary>
[TestFixture]
public sealed class EdgeCaseTests
{
    [Test]
    public void GivenAClassThatOnlyTheTestSplitHas_WhenEvaluated_ThenMetricsAreComputedNotACrash()
    {
        using var directory = new TemporaryDirectory("rare-class");
        var rows = Enumerable.Range(0, 40).Select(i => (x: i, y: i % 2 == 0 ? "a" : "b")).ToList();
        // Put the one 'c' row on a row the seeded split sends to the test split.
        var (_, test) = DataSplit.Split(41, 0.2, 42);
        rows.Insert(test[0], (x: 100, y: "c"));
        var csv = new StringBuilder("x,y\n");
        foreach (var (x, y) in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{x},{y}\n");
        }

        var path = directory.Combine("data.csv");
        File.WriteAllText(path, csv.ToString());
        using var workspace = new StepWorkspace(path, "y", "multiclass", new Dictionary<string, string> { ["MlopsTrainer"] = "LbfgsMaximumEntropy" });

        workspace.RunThrough(StepName.Evaluate);

        var metrics = JsonDocument.Parse(File.ReadAllText(workspace.Output("metrics.json"))).RootElement;
        Assert.That(metrics.GetProperty("macro_accuracy").GetDouble(), Is.LessThan(1.0), "the unseen class counts as missed");
        Assert.That(File.ReadAllText(workspace.Output("predictions.csv")), Does.Contain(",c,"));
    }

    [Test]
    public void GivenATestFractionThatLeavesNoTestRows_WhenTrained_ThenBM1012SaysSo()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression", new Dictionary<string, string> { ["MlopsTestFraction"] = "0.01" }, takeRows: 20);

        var error = Assert.Throws<MlopsException>(() => workspace.RunThrough(StepName.Train))!;

        Assert.That(error.Code, Is.EqualTo("BM1012"));
        Assert.That(error.Message, Is.EqualTo("a test fraction of 0.01 of 20 rows leaves the test split empty"));
    }

    [Test]
    public void GivenTheLabelAmongTheFeatures_WhenValidated_ThenItIsRejected()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression", new Dictionary<string, string> { ["MlopsFeatures"] = "cement;compressive_strength" });

        var error = Assert.Throws<MlopsException>(() => workspace.RunThrough(StepName.ValidateData))!;

        Assert.That(error.Code, Is.EqualTo("BM1006"));
        Assert.That(error.Message, Is.EqualTo("label column 'compressive_strength' is listed as a feature"));
    }
}
