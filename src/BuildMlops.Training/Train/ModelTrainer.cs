using BuildMlops.Data;
using BuildMlops.Spec;
using Microsoft.ML;

namespace BuildMlops.Train;

/// <summary>The train step: fits the pipeline on the training split and saves a normalized model.zip.</summary>
public static class ModelTrainer
{
    public static void Train(ModelSpec spec, PreparedData data, string modelPath)
    {
        var ml = new MLContext(seed: spec.Seed);
        var (trainRows, _) = DataSplit.Split(data.Count, spec.TestFraction, spec.Seed);
        var train = new TableDataView(data.Select(trainRows));
        var model = FeaturePipeline.Build(ml, spec, data).Fit(train);

        using var saved = new MemoryStream();
        ml.Model.Save(model, train.Schema, saved);
        saved.Position = 0;
        using var file = new FileStream(modelPath, FileMode.Create, FileAccess.Write, FileShare.None);
        DeterministicZip.Normalize(saved, file);
    }
}
