using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>
/// Trains the three test models once for the whole assembly (in parallel: a few seconds) and serves
/// each: churn (binary, FastTree), concrete (regression, Sdca: a normalizer in the pipeline) and credit
/// with label Home (multiclass, LightGbm, missing numbers in the data).
/// </summary>
[SetUpFixture]
public sealed class Models
{
    private static readonly Dictionary<string, ServedModel> Served = new(StringComparer.Ordinal);
    private static readonly List<TrainedModel> Trained = [];

    public static readonly string[] Names = ["churn", "concrete", "credit"];

    internal static ServedModel Get(string name) => Served[name];

    [OneTimeSetUp]
    public async Task TrainAndServe()
    {
        var trainings = new[]
        {
            Task.Run(() => TrainedModel.Train("churn", "churn", "wa_churn.csv", "churn", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "Yes" })),
            Task.Run(() => TrainedModel.Train("concrete", "concrete", "concrete.csv", "compressive_strength", "regression", new Dictionary<string, string> { ["MlopsTrainer"] = "Sdca" })),
            Task.Run(() => TrainedModel.Train("credit", "credit", "credit_data.csv", "Home", "multiclass", new Dictionary<string, string> { ["MlopsTrainer"] = "LightGbm" })),
        };
        foreach (var model in await Task.WhenAll(trainings))
        {
            Trained.Add(model);
            Served[model.Name] = await ServedModel.StartAsync(model);
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var served in Served.Values)
        {
            await served.DisposeAsync();
        }

        foreach (var model in Trained)
        {
            model.Dispose();
        }
    }
}
