using System.Globalization;
using BuildMlops.Metrics;
using BuildMlops.Spec;

namespace BuildMlops.Gate;

public enum BaselineVerdict
{
    /// <summary>No worse than the baseline by more than MaxDrop, or the drop is within the noise.</summary>
    Pass,

    /// <summary>Worse than the baseline by more than MaxDrop, beyond the noise of the test split.</summary>
    Fail,

    /// <summary>Nothing to compare with yet (no version has the alias): the gate passes and says so.</summary>
    NoBaseline,

    /// <summary>
    /// Too few test rows that neither model trained on (another seed or other data gave another
    /// split): no honest comparison is possible, so the gate passes with a warning.
    /// </summary>
    NotComparable,
}

/// <summary>
/// A baseline gate's outcome: the metric of the baseline and of the new model on the same test rows,
/// their difference, and a 95% paired bootstrap interval of that difference.
/// </summary>
public sealed record BaselineComparison(
    GateSpec Gate,
    string? BaselineVersion,
    double? Baseline,
    double Current,
    double? Delta,
    double? Low,
    double? High,
    BaselineVerdict Verdict,
    int Rows = 0)
{
    /// <summary>Below this many rows held out from both models, an interval says nothing.</summary>
    public const int MinimumRows = 30;

    public bool Passed => Verdict != BaselineVerdict.Fail;

    /// <summary>Why the baseline could not score the current data, when that is what made the comparison impossible.</summary>
    public string? NotScorableReason { get; init; }

    /// <summary>e.g. <c>auc against production (version 3): baseline 0.8427, new 0.8012, delta -0.0415, 95% interval [-0.0601, -0.0233], allowed drop 0.01: a real regression</c>.</summary>
    public string Describe()
    {
        if (Verdict == BaselineVerdict.NoBaseline)
        {
            return $"{Gate.Metric} against {Gate.Against}: no version is '{Gate.Against}' yet, so there is nothing to compare with (new {F(Current)}); passes";
        }

        if (Verdict == BaselineVerdict.NotComparable && NotScorableReason is not null)
        {
            return $"{Gate.Metric} against {Gate.Against} (version {BaselineVersion}) cannot score this data: {NotScorableReason}, so the two models cannot be compared on the same rows (new {F(Current)}); passes";
        }

        if (Verdict == BaselineVerdict.NotComparable)
        {
            return $"{Gate.Metric} against {Gate.Against} (version {BaselineVersion}): only {Rows} test rows are held out from both models (fewer than {MinimumRows}; the baseline was trained with another split), so they cannot be compared fairly (new {F(Current)}); passes";
        }

        var direction = MetricNames.LowerIsBetter(Gate.Metric) ? "lower is better" : "higher is better";
        var verdict = Verdict == BaselineVerdict.Fail
            ? $"fails: worse by more than {F(Gate.MaxDrop)} even at the interval's best end, a real regression"
            : Worse ? $"passes: the drop beyond {F(Gate.MaxDrop)} is within the noise of the test split" : "passes";
        return $"{Gate.Metric} against {Gate.Against} (version {BaselineVersion}; {direction}; {Rows} rows held out from both): baseline {F(Baseline)}, new {F(Current)}, delta {Signed(Delta)}, 95% interval [{Signed(Low)}, {Signed(High)}], allowed drop {F(Gate.MaxDrop)}: {verdict}";
    }

    private bool Worse => Delta is { } delta && (MetricNames.LowerIsBetter(Gate.Metric) ? delta > Gate.MaxDrop : delta < -Gate.MaxDrop);

    private static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

    private static string Signed(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// Compares the new model's predictions with the baseline's on the same rows. The gate fails only
    /// when the whole interval lies beyond the allowed drop: a drop that could be noise passes.
    /// </summary>
    /// <param name="baselineHeldOut">The rows the baseline did not train on (its own test split, "source:line"), or null when unknown.</param>
    public static BaselineComparison Compare(GateSpec gate, PredictionsFile current, PredictionsFile baseline, IReadOnlySet<string>? baselineHeldOut, string baselineVersion, string positiveClass, int seed)
    {
        // Pairs are the current test rows that the baseline scored and did not train on: a row in
        // its training split would flatter it (another seed gives another split).
        var aligned = baseline.Align(current.Keys);
        var shared = Enumerable.Range(0, current.Count)
            .Where(row => aligned[row] >= 0 && (baselineHeldOut is null || baselineHeldOut.Contains(current.Keys[row])))
            .ToArray();
        if (shared.Length < MinimumRows)
        {
            var value = current.Metric(gate.Metric, Enumerable.Range(0, current.Count).ToArray(), positiveClass);
            return new BaselineComparison(gate, baselineVersion, null, value, null, null, null, BaselineVerdict.NotComparable, shared.Length);
        }

        var newValue = current.Metric(gate.Metric, shared, positiveClass);
        var baseValue = baseline.Metric(gate.Metric, [.. shared.Select(row => aligned[row])], positiveClass);
        var (low, high) = PairedBootstrap.Interval(
            shared.Length,
            draw => current.Metric(gate.Metric, [.. draw.Select(i => shared[i])], positiveClass)
                - baseline.Metric(gate.Metric, [.. draw.Select(i => aligned[shared[i]])], positiveClass),
            BootstrapSeed(seed, gate.Metric));

        // In "better" units: positive is an improvement whichever way the metric points.
        var sign = MetricNames.LowerIsBetter(gate.Metric) ? -1 : 1;
        var bestCase = Math.Max(sign * low, sign * high);
        var verdict = double.IsFinite(bestCase) && bestCase < -gate.MaxDrop ? BaselineVerdict.Fail : BaselineVerdict.Pass;
        return new BaselineComparison(gate, baselineVersion, baseValue, newValue, newValue - baseValue, low, high, verdict, shared.Length);
    }

    /// <summary>The baseline cannot score the current data (see <see cref="BaselineNotScorableException"/>): not comparable, and why.</summary>
    public static BaselineComparison NotScorable(GateSpec gate, string baselineVersion, double current, string reason) =>
        new(gate, baselineVersion, null, current, null, null, null, BaselineVerdict.NotComparable) { NotScorableReason = reason };

    public static BaselineComparison NoBaseline(GateSpec gate, double current) =>
        new(gate, null, null, current, null, null, null, BaselineVerdict.NoBaseline);

    /// <summary>The project's seed, mixed with the metric so two gates do not share resamples by accident.</summary>
    private static ulong BootstrapSeed(int seed, string metric)
    {
        var hash = HashData.ContentHash.OfText(metric);
        return (ulong)seed ^ ulong.Parse(hash[..16], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
