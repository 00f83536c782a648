using BuildMlops.Diagnostics;
using BuildMlops.Evaluate;
using BuildMlops.IO;
using BuildMlops.Metrics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Train;
using BuildMlops.ValidateData;

namespace BuildMlops;

/// <summary>Does the steps that need ML.NET: validate, train and evaluate.</summary>
public sealed class TrainingStepWorker : IStepWorker
{
    public void Execute(StepName step, ModelSpec spec, IReadOnlyDictionary<string, string> outputs, IMlopsLog log)
    {
        var (data, profile) = DataPreparer.Prepare(spec, log);
        switch (step)
        {
            case StepName.ValidateData:
                File.WriteAllText(outputs[StepOutputs.Schema], profile.ToJson());
                log.Message($"{profile.Rows} rows, {profile.Columns.Count(column => column.Role == "feature")} features, {profile.Columns.Sum(column => column.Missing)} missing cells");
                break;
            case StepName.Train:
                if (TrainerFactory.EffectiveThreads(spec) != spec.Threads)
                {
                    log.Warning(
                        ErrorCodes.TrainerSingleThreaded,
                        ProjectFileLocator.Property(spec.ProjectFile, SettingNames.Threads),
                        $"{spec.Trainer} is not deterministic on several threads, so it trains on one (MlopsThreads is {spec.Threads}); set MlopsThreads to 1 to silence this");
                }

                log.Message($"training {spec.Trainer} on {data.Count} rows ({spec.TestFraction:P0} held out, seed {spec.Seed})");
                ModelTrainer.Train(spec, data, outputs[StepOutputs.Model]);
                break;
            case StepName.Evaluate:
                var metrics = ModelEvaluator.Evaluate(spec, data, spec.PathOf(StepOutputs.Model), outputs[StepOutputs.Predictions]);
                File.WriteAllText(outputs[StepOutputs.Metrics], MetricsFile.ToJson(metrics));
                log.Important("metrics: " + string.Join(", ", metrics.Select(metric => $"{metric.Key} {metric.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}")));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "not a training step");
        }
    }
}
