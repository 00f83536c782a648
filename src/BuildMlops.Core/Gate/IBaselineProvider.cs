using BuildMlops.Spec;

namespace BuildMlops.Gate;

/// <summary>
/// Where baseline gates (<c>Against="production"</c>) get the model to compare with: the model
/// registry resolves the alias, and ML.NET scores that model on the current test split. Implemented
/// in the worker (BuildMlops.Training); the MSBuild node never needs it.
/// </summary>
public interface IBaselineProvider
{
    /// <summary>The version behind <paramref name="alias"/>, or null when no version has that alias yet.</summary>
    BaselineModel? Resolve(ModelSpec spec, string alias);

    /// <summary>Writes the baseline's predictions on the current test split, in predictions.csv's format.</summary>
    void Score(ModelSpec spec, BaselineModel baseline, string predictionsPath);
}

/// <summary>A registered model version a gate compares with, downloaded and verified in <paramref name="Directory"/>.</summary>
public sealed record BaselineModel(string Alias, string Version, string ModelSha256, string Directory)
{
    /// <summary>What the gate step's fingerprint records: a move of the alias reruns the gate.</summary>
    public string Identity => $"version {Version} model {ModelSha256}";
}
