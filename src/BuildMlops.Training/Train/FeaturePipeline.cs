using BuildMlops.Data;
using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace BuildMlops.Train;

/// <summary>
/// The estimator chain from named data columns to a trained model: missing numbers replaced by the
/// policy's statistic (learned on the training split, so it is part of the model), text one-hot
/// encoded (a missing text is the all-zero vector), everything concatenated into Features, scaled for
/// linear trainers, then the trainer.
/// </summary>
public static class FeaturePipeline
{
    public const string EncodedSuffix = ".onehot";

    public static IEstimator<ITransformer> Build(MLContext ml, ModelSpec spec, PreparedData data)
    {
        var numeric = data.Features.Where(column => column.Type == ColumnType.Numeric).Select(column => column.Name).ToArray();
        var text = data.Features.Where(column => column.Type == ColumnType.Text).Select(column => column.Name).ToArray();
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();

        if (spec.Task == TaskKind.Multiclass)
        {
            chain = chain.Append(ml.Transforms.Conversion.MapValueToKey(TableDataView.LabelColumn));
        }

        if (numeric.Length > 0 && ReplacementFor(spec.MissingPolicy) is { } mode)
        {
            chain = chain.Append(ml.Transforms.ReplaceMissingValues(
                [.. numeric.Select(name => new InputOutputColumnPair(name, name))],
                mode));
        }

        if (text.Length > 0)
        {
            chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding(
                [.. text.Select(name => new InputOutputColumnPair(name + EncodedSuffix, name))]));
        }

        chain = chain.Append(ml.Transforms.Concatenate("Features", [.. numeric, .. text.Select(name => name + EncodedSuffix)]));
        if (TrainerFactory.NeedsNormalization(spec.Trainer))
        {
            chain = chain.Append(ml.Transforms.NormalizeMinMax("Features"));
        }

        chain = chain.Append(TrainerFactory.Create(ml, spec));
        if (spec.Task == TaskKind.Multiclass)
        {
            chain = chain.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        }

        return chain;
    }

    /// <summary>DropRows and Error leave no missing number to replace.</summary>
    private static MissingValueReplacingEstimator.ReplacementMode? ReplacementFor(MissingPolicy policy) => policy switch
    {
        MissingPolicy.Mean => MissingValueReplacingEstimator.ReplacementMode.Mean,
        MissingPolicy.Minimum => MissingValueReplacingEstimator.ReplacementMode.Minimum,
        MissingPolicy.Maximum => MissingValueReplacingEstimator.ReplacementMode.Maximum,
        MissingPolicy.Zero => MissingValueReplacingEstimator.ReplacementMode.DefaultValue,
        _ => null,
    };
}
