using System.Globalization;
using System.Text;
using BuildMlops.Diagnostics;
using BuildMlops.ModelRegistry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>The model card's confusion matrix for more than two classes, from a predictions.csv in the evaluate step's multiclass form.</summary>
[TestFixture]
public sealed class PredictionsSummaryTests
{
    [Test]
    public void GivenMulticlassPredictionsWithQuotedClassNames_WhenSummarised_ThenEveryPairOfTrueAndPredictedClassIsCounted()
    {
        // Real rows: concrete mixtures banded by their measured strength, "predicted" from their cement content alone.
        var lines = File.ReadAllLines(RepoLayout.PipelineData("concrete", "concrete.csv")).Skip(1).Select(line => line.Split(',')).ToList();
        string Band(double megapascals) => megapascals < 25 ? "weak" : megapascals < 45 ? "medium, normal" : "strong \"high\"";
        var rows = lines.Select(fields => (Truth: Band(double.Parse(fields[8], CultureInfo.InvariantCulture)), Predicted: Band(double.Parse(fields[0], CultureInfo.InvariantCulture) / 8))).ToList();
        var csv = new StringBuilder("source,line,label,predicted,p:weak,\"p:medium, normal\",\"p:strong \"\"high\"\"\"\r\n");
        foreach (var (row, index) in rows.Select((row, index) => (row, index)))
        {
            csv.Append(CultureInfo.InvariantCulture, $"data/concrete.csv,{index + 2},{Quote(row.Truth)},{Quote(row.Predicted)},0.2,0.3,0.5\r\n");
        }

        var matrix = PredictionsSummary.Confusion(csv.ToString(), ["weak", "medium, normal", "strong \"high\""], new SourceLocation("predictions.csv"));

        Assert.That(matrix.Classes, Is.EqualTo(new[] { "weak", "medium, normal", "strong \"high\"" }));
        Assert.That(matrix.Rows, Is.EqualTo(rows.Count));
        for (var truth = 0; truth < 3; truth++)
        {
            for (var predicted = 0; predicted < 3; predicted++)
            {
                Assert.That(matrix.Counts[truth, predicted], Is.EqualTo(rows.Count(row => row.Truth == matrix.Classes[truth] && row.Predicted == matrix.Classes[predicted])));
            }
        }
    }

    [Test]
    public void GivenSortedResiduals_WhenQuantilesAreTaken_ThenTheyInterpolateLinearlyAsNumPyDoes()
    {
        double[] sorted = [-3, -1, 0, 2, 10];

        Assert.That(PredictionsSummary.Quantile(sorted, 0.5), Is.EqualTo(0));
        Assert.That(PredictionsSummary.Quantile(sorted, 0.25), Is.EqualTo(-1));
        Assert.That(PredictionsSummary.Quantile(sorted, 0.95), Is.EqualTo(8.4).Within(1e-12), "numpy.quantile([-3,-1,0,2,10], 0.95) = 8.4");
        Assert.That(PredictionsSummary.Quantile(sorted, 0.05), Is.EqualTo(-2.6).Within(1e-12));
    }

    private static string Quote(string field) =>
        field.Contains(',') || field.Contains('"') ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
