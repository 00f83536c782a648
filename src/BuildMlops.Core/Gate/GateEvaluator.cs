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
    public static void Run(ModelSpec spec, IMlopsLog log, string gatesPath)
    {
        var metrics = MetricsFile.Read(spec.PathOf(StepOutputs.Metrics));
        var results = Evaluate(spec, metrics);
        AtomicFile.WriteAllText(gatesPath, DeterministicJson.Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var result in results)
            {
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

                writer.WriteBoolean("passed", result.Passed);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }));

        var failures = new List<MlopsException>();
        foreach (var result in results)
        {
            if (result.Passed)
            {
                log.Message($"gate passed: {result.Describe()}");
                continue;
            }

            failures.Add(new MlopsException(
                ErrorCodes.GateFailed,
                ProjectFileLocator.Item(spec.ProjectFile, SettingNames.GateItem, result.Gate.Metric),
                $"gate failed: {result.Describe()} (project {spec.ProjectName})",
                "Improve the model or its data, or change the gate's bound in the project file if the bar was wrong"));
        }

        if (failures.Count > 0)
        {
            throw new GateFailedException(failures);
        }
    }
}

/// <summary>Several gates can fail at once; each is reported as its own error.</summary>
public sealed class GateFailedException(IReadOnlyList<MlopsException> failures)
    : Exception(string.Join("; ", failures.Select(failure => failure.Message)))
{
    public IReadOnlyList<MlopsException> Failures { get; } = failures;
}
