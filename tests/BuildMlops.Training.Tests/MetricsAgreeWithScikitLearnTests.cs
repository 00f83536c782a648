using System.Text.Json;
using BuildMlops.Pipeline;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

/// <summary>
/// metrics.json means what scikit-learn means: every metric is recomputed by scikit-learn from the
/// same predictions.csv and must agree to 1e-6.
/// </summary>
[TestFixture]
public sealed class MetricsAgreeWithScikitLearnTests
{
    private const double Tolerance = 1e-6;

    [TestCase("churn", "wa_churn.csv", "churn", "binary", "Yes", "FastTree")]
    [TestCase("churn", "wa_churn.csv", "churn", "binary", "Yes", "FastForest")]
    [TestCase("churn", "wa_churn.csv", "churn", "binary", "Yes", "LbfgsLogisticRegression")]
    [TestCase("credit", "credit_data.csv", "Status", "binary", "bad", "LightGbm")]
    [TestCase("concrete", "concrete.csv", "compressive_strength", "regression", "", "FastTree")]
    [TestCase("concrete", "concrete.csv", "compressive_strength", "regression", "", "Sdca")]
    [TestCase("credit", "credit_data.csv", "Home", "multiclass", "", "LightGbm")]
    [TestCase("credit", "credit_data.csv", "Home", "multiclass", "", "FastTree")]
    public void GivenRealData_WhenEvaluated_ThenEveryMetricEqualsScikitLearns(string pipeline, string file, string label, string task, string positive, string trainer)
    {
        var properties = new Dictionary<string, string> { ["MlopsTrainer"] = trainer };
        if (positive.Length > 0)
        {
            properties["MlopsPositiveClass"] = positive;
        }

        using var workspace = new StepWorkspace(RepoLayout.PipelineData(pipeline, file), label, task, properties);

        workspace.RunThrough(StepName.Evaluate);

        var ours = JsonDocument.Parse(File.ReadAllText(workspace.Output("metrics.json"))).RootElement;
        var oracle = ScikitLearn.Metrics(task, workspace.Output("predictions.csv"), positive);
        Assert.That(ours.EnumerateObject().Select(metric => metric.Name), Is.EquivalentTo(oracle.Keys));
        foreach (var (name, expected) in oracle)
        {
            Assert.That(ours.GetProperty(name).GetDouble(), Is.EqualTo(expected).Within(Tolerance), name);
        }
    }
}
