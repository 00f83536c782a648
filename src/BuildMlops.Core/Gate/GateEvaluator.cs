using BuildMlops.Diagnostics;
using BuildMlops.IO;
using BuildMlops.Metrics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Gate;

/// <summary>
/// The gate step: checks every <c>MlopsGate</c> against metrics.json, writes gates.json, and fails
/// with one BM2001 error per failed gate.
/// </summary>
public static class GateEvaluator
{
    public static IReadOnlyList<GateResult> Evaluate(ModelSpec spec, IReadOnlyDictionary<string, double> metrics) =>
        spec.Gates
            .Select(gate => new GateResult(gate, metrics.TryGetValue(gate.Metric, out var value) ? value : double.NaN))
            .ToList();

    /// <summary>Runs the gate step, writing gates.json to <paramref name="gatesPath"/>.</summary>
    /// <param name="baselines">Resolves and scores the models that <c>Against</c> gates compare with; required when there are such gates.</param>
    public static void Run(ModelSpec spec, IMlopsLog log, string gatesPath, IBaselineProvider? baselines = null)
    {
        var metrics = MetricsFile.Read(spec.PathOf(StepOutputs.Metrics));
        var results = Evaluate(spec, metrics);
        var comparisons = CompareWithBaselines(spec, metrics, log, baselines);
        AtomicFile.WriteAllText(gatesPath, DeterministicJson.Write(writer =>
        {
            writer.WriteStartArray();
            for (var i = 0; i < results.Count; i++)
            {
                var result = results[i];
                writer.WriteStartObject();
                writer.WriteString("metric", result.Gate.Metric);
                if (double.IsFinite(result.Value))
                {
                    writer.WriteNumber("value", result.Value);
                }
                else
                {
                    writer.WriteNull("value");
                }

                if (result.Gate.Min is { } min)
                {
                    writer.WriteNumber("min", min);
                }

                if (result.Gate.Max is { } max)
                {
                    writer.WriteNumber("max", max);
                }

                if (comparisons[i] is { } comparison)
                {
                    WriteComparison(writer, comparison);
                }

                writer.WriteBoolean("passed", result.Passed && (comparisons[i]?.Passed ?? true));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }));

        var failures = new List<MlopsException>();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var sameMetricBefore = results.Take(i).Count(earlier => earlier.Gate.Metric == result.Gate.Metric);
            var location = ProjectFileLocator.Item(spec.ProjectFile, SettingNames.GateItem, result.Gate.Metric, sameMetricBefore);
            if (result.Gate.Min is not null || result.Gate.Max is not null)
            {
                if (result.Passed)
                {
                    log.Message($"gate passed: {result.Describe()}");
                }
                else
                {
                    failures.Add(new MlopsException(
                        ErrorCodes.GateFailed,
                        location,
                        $"gate failed: {result.Describe()} (project {spec.ProjectName})",
                        "Improve the model or its data, or change the gate's bound in the project file if the bar was wrong"));
                }
            }

            if (comparisons[i] is { } comparison)
            {
                if (comparison.Verdict == BaselineVerdict.NotComparable)
                {
                    // Already said, as warning BM2004.
                }
                else if (comparison.Passed)
                {
                    log.Important($"{StepName.Gate.Target()}: {comparison.Describe()}");
                }
                else
                {
                    failures.Add(new MlopsException(
                        ErrorCodes.GateFailed,
                        location,
                        $"gate failed: {comparison.Describe()} (project {spec.ProjectName})",
                        $"Improve the model, or if the drop is intended, raise MaxDrop or promote a new baseline ('mlops registry promote {spec.ProjectName.ToLowerInvariant()} <version> {comparison.Gate.Against} --reason ...')"));
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new GateFailedException(failures);
        }
    }

    /// <summary>One comparison per gate (null for gates without Against), in the gates' order.</summary>
    private static List<BaselineComparison?> CompareWithBaselines(ModelSpec spec, IReadOnlyDictionary<string, double> metrics, IMlopsLog log, IBaselineProvider? baselines)
    {
        var comparisons = new List<BaselineComparison?>();
        PredictionsFile? current = null;
        var resolved = new Dictionary<string, BaselineModel?>(StringComparer.Ordinal);
        var scored = new Dictionary<string, PredictionsFile>(StringComparer.Ordinal);
        var notScorable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var gate in spec.Gates)
        {
            if (gate.Against is not { } alias)
            {
                comparisons.Add(null);
                continue;
            }

            if (baselines is null)
            {
                throw new InvalidOperationException($"gate '{gate.Metric}' compares with '{alias}' but no baseline provider was given (the worker runs such gates)");
            }

            if (!resolved.TryGetValue(alias, out var baseline))
            {
                resolved[alias] = baseline = baselines.Resolve(spec, alias);
            }

            var value = metrics.TryGetValue(gate.Metric, out var metric) ? metric : double.NaN;
            if (baseline is null)
            {
                comparisons.Add(BaselineComparison.NoBaseline(gate, value));
                continue;
            }

            if (!scored.TryGetValue(alias, out var baselinePredictions) && !notScorable.ContainsKey(alias))
            {
                var path = Path.Combine(spec.IntermediateDirectory, "baseline", alias + ".predictions.csv");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                log.Message($"{StepName.Gate.Target()}: scoring '{alias}' (version {baseline.Version}) on the current test split");
                try
                {
                    baselines.Score(spec, baseline, path);
                    scored[alias] = baselinePredictions = PredictionsFile.Read(path, spec.Task);
                }
                catch (BaselineNotScorableException exception)
                {
                    notScorable[alias] = exception.Reason;
                }
            }

            BaselineComparison comparison;
            if (baselinePredictions is null)
            {
                comparison = BaselineComparison.NotScorable(gate, baseline.Version, value, notScorable[alias]);
            }
            else
            {
                current ??= PredictionsFile.Read(spec.PathOf(StepOutputs.Predictions), spec.Task);
                var heldOutPath = Path.Combine(baseline.Directory, StepOutputs.Predictions);
                IReadOnlySet<string>? heldOut = File.Exists(heldOutPath) ? PredictionsFile.Read(heldOutPath, spec.Task).Keys.ToHashSet(StringComparer.Ordinal) : null;
                comparison = BaselineComparison.Compare(gate, current, baselinePredictions, heldOut, baseline.Version, PositiveClass(spec), spec.Seed);
            }

            if (comparison.Verdict == BaselineVerdict.NotComparable)
            {
                var sameMetricBefore = spec.Gates.TakeWhile(earlier => !ReferenceEquals(earlier, gate)).Count(earlier => earlier.Metric == gate.Metric);
                log.Warning(ErrorCodes.BaselineNotComparable, ProjectFileLocator.Item(spec.ProjectFile, SettingNames.GateItem, gate.Metric, sameMetricBefore), comparison.Describe());
            }

            comparisons.Add(comparison);
        }

        return comparisons;
    }

    /// <summary>The binary label's positive class as the validate step settled it (schema.json).</summary>
    private static string PositiveClass(ModelSpec spec)
    {
        if (spec.Task != TaskKind.Binary)
        {
            return "";
        }

        var schema = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(spec.PathOf(StepOutputs.Schema)));
        return (string?)schema?["label"]?["positive_class"] ?? spec.PositiveClass ?? "";
    }

    private static void WriteComparison(System.Text.Json.Utf8JsonWriter writer, BaselineComparison comparison)
    {
        writer.WriteString("against", comparison.Gate.Against);
        writer.WriteNumber("max_drop", comparison.Gate.MaxDrop);
        writer.WriteString("verdict", comparison.Verdict switch
        {
            BaselineVerdict.Fail => "fail",
            BaselineVerdict.NoBaseline => "no_baseline",
            BaselineVerdict.NotComparable => "not_comparable",
            _ => "pass",
        });
        if (comparison.BaselineVersion is { } version)
        {
            writer.WriteString("baseline_version", version);
        }

        void Number(string name, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                writer.WriteNumber(name, v);
            }
        }

        Number("baseline", comparison.Baseline);
        Number("delta", comparison.Delta);
        Number("delta_low", comparison.Low);
        Number("delta_high", comparison.High);
        writer.WriteNumber("rows", comparison.Rows);
    }
}

public sealed class GateFailedException(IReadOnlyList<MlopsException> failures)
    : Exception(string.Join("; ", failures.Select(failure => failure.Message)))
{
    public IReadOnlyList<MlopsException> Failures { get; } = failures;
}
