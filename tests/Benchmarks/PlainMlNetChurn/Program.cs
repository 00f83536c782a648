// The baseline for the training benchmark: trains what `dotnet build -t:MlopsTrain` trains for
// pipelines/churn, the way a plain ML.NET program would, and saves model.zip.
//
//   dotnet PlainMlNetChurn.dll <wa_churn.csv> <model.zip> [--evaluate]
//
// Same model as the SDK's defaults (src/BuildMlops.Training/Train): MLContext seed 42, the same 80/20
// split (same rows), missing numbers replaced by the training mean, text one-hot encoded, numbers then
// one-hot columns concatenated into Features, FastTree binary with default hyperparameters, Seed 42 and
// NumberOfThreads 1. --evaluate also prints the test metrics, to check that both train the same model.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Transforms;
using PlainMlNetChurn;

if (args.Length is < 2 or > 3 || (args.Length == 3 && args[2] != "--evaluate"))
{
    Console.Error.WriteLine("usage: PlainMlNetChurn <wa_churn.csv> <model.zip> [--evaluate]");
    return 2;
}

const int Seed = 42;
const double TestFraction = 0.2;
string[] numeric = ["female", "senior_citizen", "partner", "dependents", "tenure", "phone_service", "paperless_billing", "monthly_charges", "total_charges"];
string[] text = ["multiple_lines", "internet_service", "online_security", "online_backup", "device_protection", "tech_support", "streaming_tv", "streaming_movies", "contract", "payment_method"];

var ml = new MLContext(seed: Seed);

// "NA" (total_charges) reads as NaN; "Yes"/"No" read as true/false.
var file = ml.Data.LoadFromTextFile<ChurnRow>(args[0], new TextLoader.Options
{
    Separators = [','],
    HasHeader = true,
    AllowQuoting = true,
    TrimWhitespace = true,
    MissingRealsAsNaNs = true,
});
var rows = ml.Data.CreateEnumerable<ChurnRow>(file, reuseRowObject: false).ToList();
var (trainRows, testRows) = Split.TrainTest(rows.Count, TestFraction, Seed);
var train = ml.Data.LoadFromEnumerable(trainRows.Select(index => rows[index]));

var pipeline = ml.Transforms.ReplaceMissingValues(
        [.. numeric.Select(name => new InputOutputColumnPair(name, name))],
        MissingValueReplacingEstimator.ReplacementMode.Mean)
    .Append(ml.Transforms.Categorical.OneHotEncoding([.. text.Select(name => new InputOutputColumnPair(name + ".onehot", name))]))
    .Append(ml.Transforms.Concatenate("Features", [.. numeric, .. text.Select(name => name + ".onehot")]))
    .Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
    {
        LabelColumnName = "Label",
        FeatureColumnName = "Features",
        Seed = Seed,
        NumberOfThreads = 1,
    }));

var model = pipeline.Fit(train);
ml.Model.Save(model, train.Schema, args[1]);

if (args.Length == 3)
{
    var test = ml.Data.LoadFromEnumerable(testRows.Select(index => rows[index]));
    var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"rows {rows.Count}, train {trainRows.Length}, test {testRows.Length}, auc {metrics.AreaUnderRocCurve:0.000000}, accuracy {metrics.Accuracy:0.000000}"));
}

return 0;

namespace PlainMlNetChurn
{
    /// <summary>One row of data/wa_churn.csv, in header order.</summary>
    public sealed class ChurnRow
    {
        [LoadColumn(0), ColumnName("Label")] public bool Churn { get; set; }
        [LoadColumn(1), ColumnName("female")] public float Female { get; set; }
        [LoadColumn(2), ColumnName("senior_citizen")] public float SeniorCitizen { get; set; }
        [LoadColumn(3), ColumnName("partner")] public float Partner { get; set; }
        [LoadColumn(4), ColumnName("dependents")] public float Dependents { get; set; }
        [LoadColumn(5), ColumnName("tenure")] public float Tenure { get; set; }
        [LoadColumn(6), ColumnName("phone_service")] public float PhoneService { get; set; }
        [LoadColumn(7), ColumnName("multiple_lines")] public string MultipleLines { get; set; } = "";
        [LoadColumn(8), ColumnName("internet_service")] public string InternetService { get; set; } = "";
        [LoadColumn(9), ColumnName("online_security")] public string OnlineSecurity { get; set; } = "";
        [LoadColumn(10), ColumnName("online_backup")] public string OnlineBackup { get; set; } = "";
        [LoadColumn(11), ColumnName("device_protection")] public string DeviceProtection { get; set; } = "";
        [LoadColumn(12), ColumnName("tech_support")] public string TechSupport { get; set; } = "";
        [LoadColumn(13), ColumnName("streaming_tv")] public string StreamingTv { get; set; } = "";
        [LoadColumn(14), ColumnName("streaming_movies")] public string StreamingMovies { get; set; } = "";
        [LoadColumn(15), ColumnName("contract")] public string Contract { get; set; } = "";
        [LoadColumn(16), ColumnName("paperless_billing")] public float PaperlessBilling { get; set; }
        [LoadColumn(17), ColumnName("payment_method")] public string PaymentMethod { get; set; } = "";
        [LoadColumn(18), ColumnName("monthly_charges")] public float MonthlyCharges { get; set; }
        [LoadColumn(19), ColumnName("total_charges")] public float TotalCharges { get; set; }
    }

    /// <summary>
    /// The seeded split BuildMlops uses (src/BuildMlops.Training/Data/DataSplit.cs), so both programs
    /// train on the same rows: a Fisher-Yates shuffle driven by SplitMix64, the first
    /// round(n * fraction) shuffled rows for test.
    /// </summary>
    public static class Split
    {
        public static (int[] Train, int[] Test) TrainTest(int rowCount, double testFraction, int seed)
        {
            var order = Enumerable.Range(0, rowCount).ToArray();
            var state = (ulong)seed;
            for (var i = order.Length - 1; i > 0; i--)
            {
                var z = state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                var j = (int)(z % (ulong)(i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            var testCount = (int)Math.Round(rowCount * testFraction, MidpointRounding.AwayFromZero);
            return ([.. order.Skip(testCount).Order()], [.. order.Take(testCount).Order()]);
        }
    }
}
