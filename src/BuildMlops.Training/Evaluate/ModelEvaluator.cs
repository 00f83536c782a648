using BuildMlops.Data;
using BuildMlops.Metrics;
using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BuildMlops.Evaluate;

/// <summary>
/// The evaluate step: scores the held-out test split with model.zip, writes predictions.csv, and
/// computes metrics.json from those predictions.
/// </summary>
public static class ModelEvaluator
{
    public static IReadOnlyList<KeyValuePair<string, double>> Evaluate(ModelSpec spec, PreparedData data, string modelPath, string predictionsPath)
    {
        var ml = new MLContext(seed: spec.Seed);
        var (_, testRows) = DataSplit.Split(data.Count, spec.TestFraction, spec.Seed);
        var test = data.Select(testRows);
        ITransformer model;
        using (var stream = File.OpenRead(modelPath))
        {
            model = ml.Model.Load(stream, out _);
        }

        var scored = model.Transform(new TableDataView(test));
        return spec.Task switch
        {
            TaskKind.Binary => Binary(test, scored, predictionsPath),
            TaskKind.Regression => Regression(test, scored, predictionsPath),
            _ => Multiclass(test, scored, predictionsPath),
        };
    }

    private static IReadOnlyList<KeyValuePair<string, double>> Binary(PreparedData test, IDataView scored, string predictionsPath)
    {
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        var probabilities = scored.GetColumn<float>("Probability").Select(p => (double)p).ToArray();
        var scores = scored.GetColumn<float>("Score").ToArray();
        var writer = new PredictionsWriter(["source", "line", "label", "predicted", "probability", "score"]);
        for (var i = 0; i < test.Count; i++)
        {
            writer.Row(
            [
                test.Sources[i], PredictionsWriter.Number(test.Lines[i]),
                test.BinaryLabels[i] ? test.PositiveClass : test.NegativeClass,
                predicted[i] ? test.PositiveClass : test.NegativeClass,
                PredictionsWriter.Number(probabilities[i]), PredictionsWriter.Number(scores[i]),
            ]);
        }

        writer.Save(predictionsPath);
        return MetricCalculator.Binary(test.BinaryLabels, predicted, probabilities);
    }

    private static IReadOnlyList<KeyValuePair<string, double>> Regression(PreparedData test, IDataView scored, string predictionsPath)
    {
        var scores = scored.GetColumn<float>("Score").Select(score => (double)score).ToArray();
        var writer = new PredictionsWriter(["source", "line", "label", "score"]);
        for (var i = 0; i < test.Count; i++)
        {
            writer.Row([test.Sources[i], PredictionsWriter.Number(test.Lines[i]), PredictionsWriter.Number(test.NumericLabels[i]), PredictionsWriter.Number(scores[i])]);
        }

        writer.Save(predictionsPath);
        return MetricCalculator.Regression([.. test.NumericLabels.Select(label => (double)label)], scores);
    }

    private static IReadOnlyList<KeyValuePair<string, double>> Multiclass(PreparedData test, IDataView scored, string predictionsPath)
    {
        // Score slot k is the class whose key is k + 1; the label column's key values name them.
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema[TableDataView.LabelColumn].GetKeyValues(ref keyValues);
        var classes = keyValues.DenseValues().Select(value => value.ToString()).ToArray();
        var index = classes.Select((name, i) => (name, i)).ToDictionary(pair => pair.name, pair => pair.i, StringComparer.Ordinal);
        var probabilities = scored.GetColumn<VBuffer<float>>("Score").Select(row => row.DenseValues().Select(p => (double)p).ToArray()).ToArray();
        var predicted = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(value => value.ToString()).ToArray();

        var writer = new PredictionsWriter(["source", "line", "label", "predicted", .. classes.Select(name => "p:" + name)]);
        for (var i = 0; i < test.Count; i++)
        {
            writer.Row([test.Sources[i], PredictionsWriter.Number(test.Lines[i]), test.ClassLabels[i], predicted[i], .. probabilities[i].Select(PredictionsWriter.Number)]);
        }

        writer.Save(predictionsPath);
        // A class only the test split has was never learned: it gets probability 0 (its own column).
        foreach (var unseen in test.ClassLabels.Where(label => !index.ContainsKey(label)).Distinct().Order(StringComparer.Ordinal))
        {
            index[unseen] = index.Count;
        }

        var width = index.Count;
        return MetricCalculator.Multiclass(
            [.. test.ClassLabels.Select(label => index[label])],
            [.. predicted.Select(label => index[label])],
            [.. probabilities.Select(row => row.Length == width ? row : [.. row, .. new double[width - row.Length]])]);
    }
}
