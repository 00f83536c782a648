using BuildMlops.Metrics;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>
/// Worked examples small enough to check by hand. The same functions are checked against
/// scikit-learn on real predictions in BuildMlops.Training.Tests.
/// </summary>
[TestFixture]
public sealed class MetricCalculatorTests
{
    [Test]
    public void GivenTiedScores_WhenAucIsComputed_ThenATieCountsHalf()
    {
        // Pairs (positive, negative): (0.9, 0.9) tie = 0.5, (0.9, 0.1) = 1, (0.2, 0.9) = 0, (0.2, 0.1) = 1 -> 2.5 / 4.
        var auc = MetricCalculator.RocAuc([true, false, true, false], [0.9, 0.9, 0.2, 0.1]);

        Assert.That(auc, Is.EqualTo(0.625));
    }

    [Test]
    public void GivenOneClassOnly_WhenAucIsComputed_ThenItIsUndefined()
    {
        Assert.That(MetricCalculator.RocAuc([true, true], [0.1, 0.2]), Is.NaN);
    }

    [Test]
    public void GivenAConfusionMatrix_WhenBinaryMetricsAreComputed_ThenTheyFollowTheirDefinitions()
    {
        // tp = 2, fp = 1, fn = 1, tn = 1
        var metrics = MetricCalculator.Binary(
            [true, true, true, false, false],
            [true, true, false, true, false],
            [0.9, 0.8, 0.4, 0.7, 0.2]).ToDictionary();

        Assert.That(metrics["accuracy"], Is.EqualTo(0.6));
        Assert.That(metrics["precision"], Is.EqualTo(2.0 / 3));
        Assert.That(metrics["recall"], Is.EqualTo(2.0 / 3));
        Assert.That(metrics["f1"], Is.EqualTo(2.0 / 3).Within(1e-15));
        var expectedLogLoss = -(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.4) + Math.Log(0.3) + Math.Log(0.8)) / 5;
        Assert.That(metrics["log_loss"], Is.EqualTo(expectedLogLoss).Within(1e-15));
    }

    [Test]
    public void GivenACertainWrongPrediction_WhenLogLossIsComputed_ThenItIsClippedNotInfinite()
    {
        var metrics = MetricCalculator.Binary([true], [false], [0.0]).ToDictionary();

        Assert.That(metrics["log_loss"], Is.EqualTo(-Math.Log(2.220446049250313e-16)).Within(1e-9));
    }

    [Test]
    public void GivenPredictions_WhenRegressionMetricsAreComputed_ThenTheyFollowTheirDefinitions()
    {
        var metrics = MetricCalculator.Regression([1, 2, 3, 4], [1, 2, 3, 6]).ToDictionary();

        Assert.That(metrics["rmse"], Is.EqualTo(1.0));
        Assert.That(metrics["mae"], Is.EqualTo(0.5));
        Assert.That(metrics["r2"], Is.EqualTo(1 - 4 / 5.0));
    }

    [Test]
    public void GivenImbalancedClasses_WhenMulticlassMetricsAreComputed_ThenMacroAveragesRecallPerClass()
    {
        // class 0: 3 of 4 right; class 1: 0 of 1; class 2: 1 of 1.
        var metrics = MetricCalculator.Multiclass(
            [0, 0, 0, 0, 1, 2],
            [0, 0, 0, 1, 0, 2],
            [[0.5, 0.25, 0.25], [0.5, 0.25, 0.25], [0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]).ToDictionary();

        Assert.That(metrics["micro_accuracy"], Is.EqualTo(4.0 / 6));
        Assert.That(metrics["macro_accuracy"], Is.EqualTo((0.75 + 0 + 1) / 3).Within(1e-15));
    }
}
