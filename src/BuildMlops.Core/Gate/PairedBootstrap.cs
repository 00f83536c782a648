using BuildMlops.IO;

namespace BuildMlops.Gate;

/// <summary>
/// A paired bootstrap confidence interval of a statistic of two models on the same rows: each
/// resample draws row indices with replacement and evaluates both models on the very same draw, so
/// row-to-row variation that affects both alike cancels out of the difference. Seeded (SplitMix64),
/// so the interval is the same on every machine and run: gates stay deterministic.
/// </summary>
public static class PairedBootstrap
{
    public const int DefaultResamples = 1000;

    /// <summary>The central <paramref name="confidence"/> interval of <paramref name="statistic"/> over resamples of <paramref name="rowCount"/> rows.</summary>
    /// <param name="statistic">Evaluated on the indices of one resample; NaN results (a resample where the metric is undefined) are left out.</param>
    public static (double Low, double High) Interval(int rowCount, Func<int[], double> statistic, ulong seed, int resamples = DefaultResamples, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowCount, 1);
        var random = new SplitMix64(seed);
        var values = new List<double>(resamples);
        var rows = new int[rowCount];
        for (var resample = 0; resample < resamples; resample++)
        {
            for (var i = 0; i < rowCount; i++)
            {
                rows[i] = (int)(random.Next() % (ulong)rowCount);
            }

            var value = statistic(rows);
            if (double.IsFinite(value))
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        values.Sort();
        var tail = (1 - confidence) / 2;
        return (Percentile(values, tail), Percentile(values, 1 - tail));
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default), on sorted values.</summary>
    private static double Percentile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
