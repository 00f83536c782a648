using BuildMlops.Spec;

namespace BuildMlops.Pipeline;

/// <summary>The files each step writes, under <c>MlopsOutputPath</c> (default <c>bin/mlops/</c>).</summary>
public static class StepOutputs
{
    public const string Schema = "schema.json";
    public const string Model = "model.zip";
    public const string Metrics = "metrics.json";
    public const string Predictions = "predictions.csv";
    public const string Gates = "gates.json";

    public static IReadOnlyList<string> FileNames(StepName step) => step switch
    {
        StepName.ValidateData => [Schema],
        StepName.Train => [Model],
        StepName.Evaluate => [Metrics, Predictions],
        StepName.Gate => [Gates],
        _ => [],
    };

    public static string PathOf(this ModelSpec spec, string fileName) => Path.Combine(spec.OutputDirectory, fileName);
}
