using BuildMlops.IO;
using BuildMlops.Diagnostics;

namespace BuildMlops.Data;

/// <summary>
/// The seeded train/test split. Own code rather than ML.NET's TrainTestSplit, so the split depends
/// only on the seed, the fraction and the row count: the same rows land in the test split with every
/// ML.NET version, and predictions.csv can name them.
/// </summary>
public static class DataSplit
{
    /// <summary>Train and test row indices, each in ascending order.</summary>
    public static (int[] Train, int[] Test) Split(int rowCount, double testFraction, int seed)
    {
        var order = Enumerable.Range(0, rowCount).ToArray();
        var random = new SplitMix64((ulong)seed);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(random.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        var testCount = TestCount(rowCount, testFraction);
        if (testCount == 0 || testCount == rowCount)
        {
            throw new MlopsException(
                ErrorCodes.TooFewRows,
                new SourceLocation("MlopsTestFraction"),
                $"a test fraction of {testFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {rowCount} rows leaves {(testCount == 0 ? "the test" : "the training")} split empty",
                "Add rows, or change MlopsTestFraction");
        }
        var test = order.Take(testCount).Order().ToArray();
        var train = order.Skip(testCount).Order().ToArray();
        return (train, test);
    }

    /// <summary>How many of <paramref name="rowCount"/> rows the test split gets.</summary>
    public static int TestCount(int rowCount, double testFraction) => (int)Math.Round(rowCount * testFraction, MidpointRounding.AwayFromZero);
}
