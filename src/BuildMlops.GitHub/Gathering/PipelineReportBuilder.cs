using System.Globalization;
using BuildMlops.Diagnostics;
using BuildMlops.Metrics;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.GitHub.Gathering;

/// <summary>
/// Gathers the <see cref="PipelineReport"/> of one model project that has already been built: its metrics.json and
/// gates.json, the registry's version behind an alias (production by default) with its metrics and lineage, every
/// registered version's metrics for the charts, and the train step's origin (from the build log when one is given, else from obj/mlops/outcomes.json).
/// Reads only; the build and the registry are left as they are.
/// </summary>
public sealed class PipelineReportBuilder(IMlopsLog log)
{
    /// <summary>The alias the report compares with when none is named.</summary>
    public const string DefaultAgainst = "production";

    /// <summary>
    /// The report of <paramref name="spec"/>'s build. <paramref name="against"/> names the registry alias (or version)
    /// to compare with; <paramref name="buildLog"/> is the build's saved output, which alone says whether the model was
    /// trained or restored. BM3003 when the project has not been built (no metrics.json).
    /// </summary>
    public async Task<PipelineReport> BuildAsync(ModelSpec spec, string against = DefaultAgainst, string? buildLog = null, CancellationToken ct = default)
    {
        var metricsPath = spec.PathOf(StepOutputs.Metrics);
        if (!File.Exists(metricsPath))
        {
            throw new MlopsException(ErrorCodes.BadMetricsFile, new SourceLocation(metricsPath), $"{spec.ProjectName} has no metrics.json to report", "Build it first: dotnet build (the report describes a build, it does not run one)");
        }

        var metrics = OrderedMetrics.Read(metricsPath);
        var gatesPath = spec.PathOf(StepOutputs.Gates);
        var gates = File.Exists(gatesPath) ? GatesFile.Read(gatesPath) : [];

        RegisteredVersion? production = null;
        IReadOnlyList<HistoryPoint> history = [];
        (IReadOnlyList<ReportChange> Data, IReadOnlyList<ReportChange> Parameters) changes = ([], []);
        var repository = MlopsRepository.Discover(spec.ProjectDirectory);
        using (var store = ModelRegistryStore.Open(repository, log))
        {
            var model = string.IsNullOrEmpty(spec.ModelName) ? spec.ProjectName.ToLowerInvariant() : spec.ModelName;
            if ((await store.ListModelsAsync(ct)).Contains(model, StringComparer.Ordinal))
            {
                production = await store.ResolveAsync(model, against, ct);
                var listing = await store.ListVersionsAsync(model, ct);
                history = listing.Versions
                    .Select(version => new HistoryPoint("v" + version.Version.ToString(CultureInfo.InvariantCulture), version.MetricValues.ToDictionary(pair => pair.Key, pair => Defined(pair.Value), StringComparer.Ordinal)))
                    .ToList();
                if (production is not null)
                {
                    var current = LockFile.Load(spec.LockFile).Stage(StepName.Train)?.Deps ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
                    changes = InputChanges.Compare(InputChanges.DepsOf(await store.ReadLineageAsync(production, ct)), current);
                }
            }
            else
            {
                log.Message($"{spec.ProjectName}: no model named '{model}' is registered in {store.Location}, so there is no {against} to compare with");
            }
        }

        return new PipelineReport(spec.ProjectName, spec.ProjectFile, Origin(spec, buildLog), Rows(spec, metrics, gates, production))
        {
            ProductionVersion = production is null ? null : "v" + production.Version.ToString(CultureInfo.InvariantCulture),
            DataChanges = changes.Data,
            ParameterChanges = changes.Parameters,
            History = history,
        };
    }

    /// <summary>One row per metric in the task's order, then any others metrics.json has, each with its gates' verdict.</summary>
    internal static IReadOnlyList<MetricRow> Rows(ModelSpec spec, OrderedMetrics metrics, IReadOnlyList<GateEntry> gates, RegisteredVersion? production)
    {
        var values = metrics.Values.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var names = MetricNames.For(spec.Task).Where(values.ContainsKey).Concat(metrics.Values.Select(pair => pair.Key)).Distinct(StringComparer.Ordinal);
        var rows = new List<MetricRow>();
        foreach (var name in names)
        {
            var own = gates.Where(gate => gate.Metric == name).ToList();
            var relative = own.FirstOrDefault(gate => gate.Baseline is not null);

            // A gate against production scored production on this build's test split: that value is the one the
            // verdict and the delta are about, so it is shown rather than the registered one when there is one.
            var productionValue = relative?.Baseline ?? (production is not null && production.Metrics.TryGetValue(name, out var registered) ? Defined(registered) : null);
            var (low, high) = metrics.Intervals.TryGetValue(name, out var interval) ? (interval.Lower, interval.Upper)
                : relative is { DeltaLow: { } deltaLow, DeltaHigh: { } deltaHigh, Baseline: { } baseline } ? (baseline + deltaLow, baseline + deltaHigh)
                : ((double?)null, (double?)null);
            rows.Add(new MetricRow(name, productionValue, values[name], Verdict(own))
            {
                IntervalLow = low,
                IntervalHigh = high,
                Gate = own.Count == 0 ? null : string.Join("; ", own.SelectMany(gate => Bounds(gate, name))),
                GateLine = own.Count == 0 ? null : ProjectFileLocator.Item(spec.ProjectFile, SettingNames.GateItem, name, Math.Max(0, own.FindIndex(gate => !gate.Passed))).Line is var line and > 0 ? line : null,
            });
        }

        return rows;
    }

    /// <summary>Fail when any gate on the metric failed; no baseline when its only gates compare with an alias that has no version; else pass.</summary>
    private static GateVerdict Verdict(IReadOnlyList<GateEntry> gates) =>
        gates.Count == 0 ? GateVerdict.NotGated
        : gates.Any(gate => !gate.Passed) ? GateVerdict.Fail
        : gates.All(gate => gate.Verdict == "no_baseline") ? GateVerdict.NoBaseline
        : GateVerdict.Pass;

    /// <summary><c>≥ 0.83</c>, <c>≤ 0.5</c>, <c>≥ production - 0.01</c> (<c>≤ production + 0.01</c> for a metric where lower is better).</summary>
    private static IEnumerable<string> Bounds(GateEntry gate, string metric)
    {
        if (gate.Min is { } min)
        {
            yield return "≥ " + Number(min);
        }

        if (gate.Max is { } max)
        {
            yield return "≤ " + Number(max);
        }

        if (gate.Against is { } against)
        {
            var drop = Number(gate.MaxDrop ?? 0);
            yield return MetricNames.LowerIsBetter(metric) ? $"≤ {against} + {drop}" : $"≥ {against} - {drop}";
        }
    }

    /// <summary>
    /// From the build log when one is given and names the train step; else from what the last build recorded in
    /// <c>obj/mlops/outcomes.json</c> (<see cref="StepOutcomes"/>), which travels with the project's outputs to a report
    /// job; else up to date, and the log says the origin was not known, since the outputs alone cannot tell.
    /// </summary>
    private ModelOrigin Origin(ModelSpec spec, string? buildLog)
    {
        if (buildLog is not null)
        {
            if (BuildLogOrigin.FromFile(buildLog, spec.ProjectName) is { } fromLog)
            {
                return fromLog;
            }

            log.Message($"{spec.ProjectName}: {buildLog} has no MlopsTrain status line for it; the origin comes from {StepOutcomes.FileName}");
        }

        switch (StepOutcomes.Read(spec.IntermediateDirectory, StepName.Train))
        {
            case StepOutcome.Ran:
                return ModelOrigin.Trained;
            case StepOutcome.Restored:
                return ModelOrigin.Restored;
            case StepOutcome.UpToDate:
                return ModelOrigin.UpToDate;
            default:
                log.Message($"{spec.ProjectName}: no build recorded how it got its model ({Path.Combine(spec.IntermediateDirectory, StepOutcomes.FileName)} is missing), so the report says up to date");
                return ModelOrigin.UpToDate;
        }
    }

    private static double? Defined(double value) => double.IsFinite(value) ? value : null;

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
