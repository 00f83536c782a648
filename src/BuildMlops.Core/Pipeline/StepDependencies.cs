using System.Globalization;
using BuildMlops.Spec;

namespace BuildMlops.Pipeline;

/// <summary>
/// What each step's result depends on, as name/value pairs. Equal dependencies mean an equal result
/// (training is deterministic), so a step whose dependencies equal those in the lock file is skipped,
/// and the run cache (see docs) can key results by them.
/// </summary>
public static class StepDependencies
{
    public static SortedDictionary<string, string> For(
        StepName step,
        ModelSpec spec,
        IReadOnlyDictionary<string, string> dataHashes,
        Func<string, string?> outputHash,
        Func<string, string>? baselineIdentity = null)
    {
        var deps = new SortedDictionary<string, string>(StringComparer.Ordinal);
        switch (step)
        {
            case StepName.HashData:
                break;
            case StepName.ValidateData:
                AddData(deps, spec, dataHashes);
                break;
            case StepName.Train:
                AddData(deps, spec, dataHashes);
                AddSplit(deps, spec);
                deps["param:" + SettingNames.Trainer] = spec.Trainer;
                deps["param:" + SettingNames.Threads] = Invariant(spec.Threads);
                foreach (var (name, value) in spec.Hyperparameters)
                {
                    deps["hyperparameter:" + name] = value;
                }

                break;
            case StepName.Evaluate:
                AddData(deps, spec, dataHashes);
                AddSplit(deps, spec);
                AddInput(deps, spec, StepOutputs.Model, outputHash);
                break;
            case StepName.Gate:
                AddInput(deps, spec, StepOutputs.Metrics, outputHash);
                foreach (var gates in spec.Gates.GroupBy(gate => gate.Metric, StringComparer.Ordinal))
                {
                    deps["gate:" + gates.Key] = string.Join("; ", gates.Select(gate => gate.Describe()));
                }

                // Baseline gates score the model behind an alias on the test split: the predictions and
                // whatever the alias points at are inputs too, so moving the alias reruns the gate.
                foreach (var alias in spec.Gates.Select(gate => gate.Against).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    AddInput(deps, spec, StepOutputs.Predictions, outputHash);
                    deps["baseline:" + alias] = baselineIdentity?.Invoke(alias)
                        ?? throw new InvalidOperationException($"the gate step compares with '{alias}' but nothing can resolve it here (the worker runs such gates)");
                }

                break;
        }

        if (step != StepName.HashData)
        {
            deps["version:buildmlops"] = ToolVersions.BuildMlops;
            deps["version:mlnet"] = ToolVersions.MlNet;
            deps["version:runtime"] = ToolVersions.Runtime;
        }

        return deps;
    }

    private static void AddData(SortedDictionary<string, string> deps, ModelSpec spec, IReadOnlyDictionary<string, string> dataHashes)
    {
        foreach (var file in spec.DataFiles)
        {
            deps["data:" + file.Name] = dataHashes[file.Name];
        }

        // Rows are read in the declared order, and the split depends on it.
        deps["param:" + SettingNames.DataItem] = string.Join(";", spec.DataFiles.Select(file => file.Name));

        deps["param:" + SettingNames.Task] = spec.Task.ToString().ToLowerInvariant();
        deps["param:" + SettingNames.Label] = spec.Label;
        deps["param:" + SettingNames.Features] = string.Join(";", spec.Features);
        deps["param:" + SettingNames.MissingValues] = string.Join(";", spec.MissingValues);
        deps["param:" + SettingNames.MissingPolicy] = spec.MissingPolicy.ToString();
        deps["param:" + SettingNames.PositiveClass] = spec.PositiveClass ?? "";
        deps["param:" + SettingNames.Separator] = spec.Separator == '\t' ? "tab" : spec.Separator.ToString();
        foreach (var column in spec.Columns)
        {
            deps["column:" + column.Name] = $"type={column.Type?.ToString() ?? "inferred"};ignore={(column.Ignore ? "true" : "false")}";
        }
    }

    private static void AddSplit(SortedDictionary<string, string> deps, ModelSpec spec)
    {
        deps["param:" + SettingNames.Seed] = Invariant(spec.Seed);
        deps["param:" + SettingNames.TestFraction] = spec.TestFraction.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void AddInput(SortedDictionary<string, string> deps, ModelSpec spec, string fileName, Func<string, string?> outputHash)
    {
        var path = spec.PathOf(fileName);
        deps["in:" + spec.Relative(path)] = outputHash(path) ?? "missing";
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
