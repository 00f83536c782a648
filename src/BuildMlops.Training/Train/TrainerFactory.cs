using System.Globalization;
using System.Reflection;
using BuildMlops.Diagnostics;
using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace BuildMlops.Train;

/// <summary>
/// Builds the ML.NET trainer a project names, with its <c>MlopsHyperparameter</c> items applied to
/// the trainer's Options class by name. The seed and thread count are always set from MlopsSeed and
/// MlopsThreads, never left to ML.NET's defaults, which follow the machine's processor count.
/// </summary>
public static class TrainerFactory
{
    private const string Label = "Label";
    private const string Features = "Features";

    /// <summary>Trainers that need features scaled to converge; tree ensembles do not.</summary>
    public static bool NeedsNormalization(string trainer) =>
        trainer.StartsWith("Sdca", StringComparison.Ordinal)
        || trainer.StartsWith("Lbfgs", StringComparison.Ordinal)
        || trainer == "OnlineGradientDescent";

    public static IEstimator<ITransformer> Create(MLContext ml, ModelSpec spec) => (spec.Task, spec.Trainer) switch
    {
        (TaskKind.Binary, "FastTree") => ml.BinaryClassification.Trainers.FastTree(Options<FastTreeBinaryTrainer.Options>(spec)),
        (TaskKind.Binary, "FastForest") => ml.BinaryClassification.Trainers.FastForest(Options<FastForestBinaryTrainer.Options>(spec))
            .Append(ml.BinaryClassification.Calibrators.Platt(labelColumnName: Label)), // FastForest scores are not probabilities
        (TaskKind.Binary, "LightGbm") => ml.BinaryClassification.Trainers.LightGbm(Options<LightGbmBinaryTrainer.Options>(spec)),
        (TaskKind.Binary, "SdcaLogisticRegression") => ml.BinaryClassification.Trainers.SdcaLogisticRegression(Options<SdcaLogisticRegressionBinaryTrainer.Options>(spec)),
        (TaskKind.Binary, "LbfgsLogisticRegression") => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(Options<LbfgsLogisticRegressionBinaryTrainer.Options>(spec)),
        (TaskKind.Regression, "FastTree") => ml.Regression.Trainers.FastTree(Options<FastTreeRegressionTrainer.Options>(spec)),
        (TaskKind.Regression, "FastForest") => ml.Regression.Trainers.FastForest(Options<FastForestRegressionTrainer.Options>(spec)),
        (TaskKind.Regression, "LightGbm") => ml.Regression.Trainers.LightGbm(Options<LightGbmRegressionTrainer.Options>(spec)),
        (TaskKind.Regression, "Sdca") => ml.Regression.Trainers.Sdca(Options<SdcaRegressionTrainer.Options>(spec)),
        (TaskKind.Regression, "LbfgsPoissonRegression") => ml.Regression.Trainers.LbfgsPoissonRegression(Options<LbfgsPoissonRegressionTrainer.Options>(spec)),
        (TaskKind.Regression, "OnlineGradientDescent") => ml.Regression.Trainers.OnlineGradientDescent(Options<OnlineGradientDescentTrainer.Options>(spec)),
        (TaskKind.Multiclass, "LightGbm") => ml.MulticlassClassification.Trainers.LightGbm(Options<LightGbmMulticlassTrainer.Options>(spec)),
        (TaskKind.Multiclass, "SdcaMaximumEntropy") => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(Options<SdcaMaximumEntropyMulticlassTrainer.Options>(spec)),
        (TaskKind.Multiclass, "LbfgsMaximumEntropy") => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(Options<LbfgsMaximumEntropyMulticlassTrainer.Options>(spec)),
        (TaskKind.Multiclass, "FastTree") => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(Options<FastTreeBinaryTrainer.Options>(spec))),
        (TaskKind.Multiclass, "FastForest") => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastForest(Options<FastForestBinaryTrainer.Options>(spec))),
        _ => throw new MlopsException(
            ErrorCodes.UnknownTrainer,
            ProjectFileLocator.Property(spec.ProjectFile, SettingNames.Trainer),
            $"unknown trainer '{spec.Trainer}' for a {spec.Task.ToString().ToLowerInvariant()} model",
            $"Set {SettingNames.Trainer} to one of: {string.Join(", ", TrainerCatalogNames.For(spec.Task))}"),
    };

    /// <summary>MlopsThreads, or 1 for a trainer that is not deterministic on several threads.</summary>
    public static int EffectiveThreads(ModelSpec spec) =>
        TrainerCatalogNames.DeterministicWithThreads(spec.Trainer) ? spec.Threads : 1;

    /// <summary>The hyperparameters a trainer accepts: its Options members of simple types.</summary>
    public static IReadOnlyList<string> HyperparameterNames(Type optionsType) =>
        [.. Settable(optionsType).Select(member => member.Name).Where(name => name is not ("Seed" or "NumberOfThreads")).Order(StringComparer.Ordinal)];

    private static T Options<T>(ModelSpec spec)
        where T : new()
    {
        var options = new T();
        var members = Settable(typeof(T)).ToDictionary(member => member.Name, StringComparer.OrdinalIgnoreCase);
        Set(options, members, "LabelColumnName", Label);
        Set(options, members, "FeatureColumnName", Features);
        foreach (var (name, text) in spec.Hyperparameters)
        {
            var location = ProjectFileLocator.Item(spec.ProjectFile, SettingNames.HyperparameterItem, name);
            if (name.Equals("Seed", StringComparison.OrdinalIgnoreCase) || name.Equals("NumberOfThreads", StringComparison.OrdinalIgnoreCase))
            {
                throw new MlopsException(ErrorCodes.BadHyperparameter, location, $"hyperparameter '{name}' is set by BuildMlops", name.Equals("Seed", StringComparison.OrdinalIgnoreCase) ? "Set MlopsSeed instead" : "Set MlopsThreads instead");
            }

            if (!members.TryGetValue(name, out var member))
            {
                throw new MlopsException(
                    ErrorCodes.BadHyperparameter,
                    location,
                    $"trainer {spec.Trainer} has no hyperparameter '{name}'",
                    $"Use one of: {string.Join(", ", HyperparameterNames(typeof(T)))}");
            }

            var type = MemberType(member);
            if (!TryConvert(text, type, out var value))
            {
                throw new MlopsException(ErrorCodes.BadHyperparameter, location, $"hyperparameter '{name}' of trainer {spec.Trainer} cannot be '{text}'", $"Give a {Describe(type)}");
            }

            SetValue(options, member, value);
        }

        Set(options, members, "Seed", spec.Seed);
        Set(options, members, "NumberOfThreads", EffectiveThreads(spec));
        return options;
    }

    private static IEnumerable<MemberInfo> Settable(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(field => !field.IsInitOnly).Cast<MemberInfo>()
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite))
            .Where(member => IsSimple(MemberType(member)))
            .Where(member => !member.Name.EndsWith("ColumnName", StringComparison.Ordinal));

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
    }

    private static Type MemberType(MemberInfo member) => member switch
    {
        FieldInfo field => field.FieldType,
        PropertyInfo property => property.PropertyType,
        _ => throw new InvalidOperationException(member.Name),
    };

    private static void Set(object options, Dictionary<string, MemberInfo> members, string name, object value)
    {
        if (members.TryGetValue(name, out var member))
        {
            var type = Nullable.GetUnderlyingType(MemberType(member)) ?? MemberType(member);
            SetValue(options, member, Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
        }
    }

    private static void SetValue(object options, MemberInfo member, object? value)
    {
        if (member is FieldInfo field)
        {
            field.SetValue(options, value);
        }
        else
        {
            ((PropertyInfo)member).SetValue(options, value);
        }
    }

    private static bool TryConvert(string text, Type type, out object? value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        try
        {
            if (target.IsEnum)
            {
                if (Enum.TryParse(target, text, ignoreCase: true, out var parsed) && !int.TryParse(text, out _))
                {
                    value = parsed;
                    return true;
                }

                return false;
            }

            if (target == typeof(bool))
            {
                if (bool.TryParse(text, out var flag))
                {
                    value = flag;
                    return true;
                }

                return false;
            }

            value = Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
            return value is not double number || double.IsFinite(number);
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or InvalidCastException)
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return "value from: " + string.Join(", ", Enum.GetNames(target));
        }

        return target == typeof(int) || target == typeof(long) ? "whole number"
            : target == typeof(bool) ? "true or false"
            : target == typeof(string) ? "text"
            : "number, with '.' as the decimal point";
    }
}
