using BuildMlops.Spec;

namespace BuildMlops.Metrics;

/// <summary>The keys of metrics.json per task: lower case, the names scikit-learn users know.</summary>
public static class MetricNames
{
    private static readonly IReadOnlyDictionary<TaskKind, string[]> Names = new Dictionary<TaskKind, string[]>
    {
        [TaskKind.Binary] = ["auc", "accuracy", "f1", "precision", "recall", "log_loss"],
        [TaskKind.Multiclass] = ["macro_accuracy", "micro_accuracy", "log_loss"],
        [TaskKind.Regression] = ["rmse", "mae", "r2"],
    };

    public static IReadOnlyList<string> For(TaskKind task) => Names[task];

    /// <summary>Losses and errors, where a smaller value is a better model.</summary>
    public static bool LowerIsBetter(string metric) => metric is "log_loss" or "rmse" or "mae";
}
