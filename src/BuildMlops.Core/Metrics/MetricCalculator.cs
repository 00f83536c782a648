namespace BuildMlops.Metrics;

/// <summary>
/// Metrics from predictions, computed here rather than taken from ML.NET so that each one means
/// exactly what scikit-learn's function of the same name computes (ML.NET's log-loss, for one, is in
/// bits). tests/ checks every value against scikit-learn on the same predictions.
/// </summary>
public static class MetricCalculator
{
    /// <summary>scikit-learn's log_loss clips probabilities to [eps, 1 - eps] with eps = float64 epsilon.</summary>
    private const double Epsilon = 2.220446049250313e-16;

    /// <param name="labels">True for the positive class.</param>
    /// <param name="predicted">The model's decision.</param>
    /// <param name="probabilities">The probability of the positive class.</param>
    public static IReadOnlyList<KeyValuePair<string, double>> Binary(bool[] labels, bool[] predicted, double[] probabilities)
    {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            switch (labels[i], predicted[i])
            {
                case (true, true): tp++; break;
                case (false, true): fp++; break;
                case (false, false): tn++; break;
                default: fn++; break;
            }
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var logLoss = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            // Clip both columns, then renormalise, exactly as scikit-learn does with [1 - p, p].
            var positive = Math.Clamp(probabilities[i], Epsilon, 1 - Epsilon);
            var negative = Math.Clamp(1 - probabilities[i], Epsilon, 1 - Epsilon);
            var p = labels[i] ? positive : negative;
            logLoss -= Math.Log(p / (positive + negative));
        }

        return
        [
            new("auc", RocAuc(labels, probabilities)),
            new("accuracy", labels.Length == 0 ? double.NaN : (double)(tp + tn) / labels.Length),
            new("f1", f1),
            new("precision", precision),
            new("recall", recall),
            new("log_loss", logLoss / labels.Length),
        ];
    }

    /// <summary>
    /// Area under the ROC curve as the Mann-Whitney statistic with average ranks for ties, which equals
    /// the trapezoidal area scikit-learn's roc_auc_score computes.
    /// </summary>
    public static double RocAuc(bool[] labels, double[] scores)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = labels.Length - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <param name="labels">True class index per row.</param>
    /// <param name="predicted">Predicted class index per row.</param>
    /// <param name="probabilities">Per row, the probability of each class.</param>
    public static IReadOnlyList<KeyValuePair<string, double>> Multiclass(int[] labels, int[] predicted, double[][] probabilities)
    {
        var present = labels.Distinct().Order().ToArray();
        var recalls = present.Select(cls =>
        {
            var total = labels.Count(label => label == cls);
            var hit = labels.Where((label, i) => label == cls && predicted[i] == cls).Count();
            return (double)hit / total;
        });
        var logLoss = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var clipped = probabilities[i].Select(p => Math.Clamp(p, Epsilon, 1 - Epsilon)).ToArray();
            logLoss -= Math.Log(clipped[labels[i]] / clipped.Sum());
        }

        return
        [
            new("macro_accuracy", recalls.Average()),
            new("micro_accuracy", (double)labels.Where((label, i) => label == predicted[i]).Count() / labels.Length),
            new("log_loss", logLoss / labels.Length),
        ];
    }

    public static IReadOnlyList<KeyValuePair<string, double>> Regression(double[] labels, double[] predicted)
    {
        double squared = 0, absolute = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var error = labels[i] - predicted[i];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        var mean = labels.Average();
        var total = labels.Sum(label => (label - mean) * (label - mean));
        return
        [
            new("rmse", Math.Sqrt(squared / labels.Length)),
            new("mae", absolute / labels.Length),
            new("r2", total == 0 ? double.NaN : 1 - squared / total),
        ];
    }
}
