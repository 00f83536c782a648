using BuildMlops.Data;
using BuildMlops.Evaluate;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;
using BuildMlops.ValidateData;
using Microsoft.ML;

namespace BuildMlops.Gate;

/// <summary>
/// Baselines from the model registry: resolves an alias of the project's model (MlopsModelName) in
/// the repository's registry store and, to score it, downloads that version (verified) under
/// obj/mlops/baseline/ and scores it with ML.NET on the current test split. The data is prepared
/// with every column the data has, so a baseline trained on features the new model dropped still
/// finds them; the model itself picks the columns it was trained on. When the data no longer has one
/// of them (or has it with another type), <see cref="BaselineNotScorableException"/> says which.
/// </summary>
public sealed class RegistryBaselineProvider(IMlopsLog log) : IBaselineProvider
{
    public BaselineModel? Resolve(ModelSpec spec, string alias)
    {
        using var store = OpenStore(spec);
        var version = store.ResolveAsync(spec.ModelName, alias, CancellationToken.None).GetAwaiter().GetResult();
        return version is null
            ? null
            : new BaselineModel(alias, version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), version.ModelSha256, Path.Combine(spec.IntermediateDirectory, "baseline", $"{spec.ModelName}-v{version.Version}"));
    }

    public void Score(ModelSpec spec, BaselineModel baseline, string predictionsPath)
    {
        var modelPath = Path.Combine(baseline.Directory, StepOutputs.Model);
        if (!File.Exists(modelPath) || HashData.ContentHash.OfFile(modelPath) != baseline.ModelSha256)
        {
            using var store = OpenStore(spec);
            var version = store.RequireAsync(spec.ModelName, baseline.Version, CancellationToken.None).GetAwaiter().GetResult();
            store.DownloadModelAsync(version, baseline.Directory, CancellationToken.None).GetAwaiter().GetResult();
        }

        var everyColumn = spec with { Features = [] };
        var (data, _) = DataPreparer.Prepare(everyColumn, new QuietLog(log));
        try
        {
            ModelEvaluator.Evaluate(everyColumn, data, modelPath, predictionsPath);
        }
        catch (ArgumentOutOfRangeException exception) when (exception.ParamName is "inputSchema" or "schema")
        {
            // ML.NET checks the input schema when the model is applied: a column the baseline was trained on is gone,
            // or has another type. Its message does not always name the column ("Type 'String' is not supported by
            // NAReplaceTransform"), so the reason compares the schema the model was saved with and this data's.
            throw new BaselineNotScorableException(Explain(modelPath, data, exception));
        }
    }

    /// <summary>What differs between the data the baseline was trained on and this data, with ML.NET's own words.</summary>
    private static string Explain(string modelPath, PreparedData data, Exception exception)
    {
        var mlnet = exception.Message.Split(" (Parameter", 2)[0].Trim().TrimEnd('.');
        DataViewSchema trained;
        using (var stream = File.OpenRead(modelPath))
        {
            new MLContext().Model.Load(stream, out trained);
        }

        var now = new TableDataView(data).Schema;
        var differences = trained
            .Where(column => !column.IsHidden)
            .Select(column => now.GetColumnOrNull(column.Name) is { } current
                ? current.Type.Equals(column.Type) ? null : $"column '{column.Name}' is {current.Type} here, {column.Type} in the data it was trained on"
                : $"column '{column.Name}' is missing")
            .OfType<string>()
            .ToList();
        return differences.Count > 0 ? $"{string.Join("; ", differences)} (ML.NET says: {mlnet})" : $"ML.NET says: {mlnet}";
    }

    private ModelRegistryStore OpenStore(ModelSpec spec) => ModelRegistryStore.Open(MlopsRepository.Discover(spec.ProjectDirectory), log);

    /// <summary>Data preparation's warnings were already given by the validate step; repeating them here would only confuse.</summary>
    private sealed class QuietLog(IMlopsLog inner) : IMlopsLog
    {
        public void Message(string text) => inner.Message(text);

        public void Important(string text) => inner.Message(text);

        public void Warning(string code, Diagnostics.SourceLocation location, string message)
        {
        }

        public void Error(Diagnostics.MlopsException error) => inner.Error(error);
    }
}
