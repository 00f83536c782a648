namespace BuildMlops.Spec;

/// <summary>
/// The MSBuild properties and items a model project sets. Their defaults live in the SDK's Sdk.props,
/// where users read them; docs/reference.md describes each one.
/// </summary>
public static class SettingNames
{
    public const string Task = "MlopsTask";
    public const string Label = "MlopsLabel";
    public const string Trainer = "MlopsTrainer";
    public const string Features = "MlopsFeatures";
    public const string MissingValues = "MlopsMissingValues";
    public const string MissingPolicy = "MlopsMissingPolicy";
    public const string PositiveClass = "MlopsPositiveClass";
    public const string TestFraction = "MlopsTestFraction";
    public const string Seed = "MlopsSeed";
    public const string Threads = "MlopsThreads";
    public const string Separator = "MlopsSeparator";
    public const string OutputPath = "MlopsOutputPath";
    public const string IntermediatePath = "MlopsIntermediatePath";
    public const string LockFile = "MlopsLockFile";
    public const string Verify = "MlopsVerify";
    public const string RunCache = "MlopsRunCache";
    public const string GitHubActions = "GITHUB_ACTIONS";
    public const string ModelName = "MlopsModelName";

    public const string DataItem = "MlopsData";
    public const string GateItem = "MlopsGate";
    public const string HyperparameterItem = "MlopsHyperparameter";
    public const string ColumnItem = "MlopsColumn";

    /// <summary>Every property the SDK passes to the steps (the spec).</summary>
    public static readonly IReadOnlyList<string> Properties =
    [
        Task, Label, Trainer, Features, MissingValues, MissingPolicy, PositiveClass, TestFraction, Seed,
        Threads, Separator, OutputPath, IntermediatePath, LockFile, Verify, RunCache, GitHubActions, ModelName,
    ];

    /// <summary>Every item type the SDK passes to the steps, with the metadata each one may carry.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Items = new Dictionary<string, string[]>
    {
        [DataItem] = [],
        [GateItem] = ["Min", "Max", "MaxDrop", "Against"],
        [HyperparameterItem] = ["Value"],
        [ColumnItem] = ["Type", "Ignore"],

        // Read by the image steps (BuildMlops.Images.Package.ImageSettings), never by the model's.
        ["MlopsImageLabel"] = ["Value"],
    };
}
