namespace BuildMlops.Spec;

/// <summary>
/// The trainer names a project may give in <c>MlopsTrainer</c>, per task. Known here, without ML.NET,
/// so a typo fails the build before any data is read; BuildMlops.Training maps each name to an estimator.
/// </summary>
public static class TrainerCatalogNames
{
    public const string Default = "FastTree";

    private static readonly IReadOnlyDictionary<TaskKind, string[]> Names = new Dictionary<TaskKind, string[]>
    {
        [TaskKind.Binary] = ["FastTree", "FastForest", "LightGbm", "SdcaLogisticRegression", "LbfgsLogisticRegression"],
        [TaskKind.Multiclass] = ["FastTree", "FastForest", "LightGbm", "SdcaMaximumEntropy", "LbfgsMaximumEntropy"],
        [TaskKind.Regression] = ["FastTree", "FastForest", "LightGbm", "Sdca", "LbfgsPoissonRegression", "OnlineGradientDescent"],
    };

    public static IReadOnlyList<string> For(TaskKind task) => Names[task];

    /// <summary>
    /// Whether a trainer gives the same model on every run with several threads. The tree ensembles
    /// do; SDCA updates its weights lock-free in parallel, and LightGBM and L-BFGS sum partial results
    /// in whatever order threads finish, so those train on one thread whatever MlopsThreads says.
    /// </summary>
    public static bool DeterministicWithThreads(string trainer) => trainer is "FastTree" or "FastForest";

    /// <summary>The canonical spelling of <paramref name="name"/> (case-insensitive), or null.</summary>
    public static string? Resolve(TaskKind task, string name) =>
        Names[task].FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
}
