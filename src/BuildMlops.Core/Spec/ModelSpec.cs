namespace BuildMlops.Spec;

/// <summary>
/// A model project's settings, parsed and checked: what every step reads. Paths are absolute; data
/// files also keep the relative, forward-slash name under which the lock file records them.
/// </summary>
public sealed record ModelSpec
{
    public required string ProjectFile { get; init; }
    public string ProjectDirectory => Path.GetDirectoryName(ProjectFile)!;
    public string ProjectName => Path.GetFileNameWithoutExtension(ProjectFile);
    public required IReadOnlyList<DataFile> DataFiles { get; init; }
    public required TaskKind Task { get; init; }
    public required string Label { get; init; }
    public required string Trainer { get; init; }

    /// <summary>Trainer option name to value, as written; applied to the ML.NET trainer's Options class.</summary>
    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }

    /// <summary>Explicit feature columns; empty means every column but the label and ignored ones.</summary>
    public required IReadOnlyList<string> Features { get; init; }

    public required IReadOnlyList<ColumnSpec> Columns { get; init; }
    public required IReadOnlyList<string> MissingValues { get; init; }
    public required MissingPolicy MissingPolicy { get; init; }

    /// <summary>The label value that means "true" for a binary model; null: recognised automatically.</summary>
    public required string? PositiveClass { get; init; }

    public required double TestFraction { get; init; }
    public required int Seed { get; init; }

    /// <summary>Trainer threads: fixed, never the machine's processor count, so models are reproducible.</summary>
    public required int Threads { get; init; }

    public required char Separator { get; init; }
    public required IReadOnlyList<GateSpec> Gates { get; init; }
    public required string OutputDirectory { get; init; }
    public required string IntermediateDirectory { get; init; }
    public required string LockFile { get; init; }

    /// <summary>Retrain from scratch and require the lock file's output hashes (the CI reproducibility check).</summary>
    public required bool Verify { get; init; }

    /// <summary>Restore steps from the run cache (local, then the default remote) and store each run there.</summary>
    public bool RunCache { get; init; } = true;

    /// <summary>The name the model is registered under (MlopsModelName): the project's name in lower case unless set.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>Under GitHub Actions, errors are also written as workflow annotations.</summary>
    public bool GitHubActions { get; init; }

    /// <summary>A path relative to the project directory, with forward slashes, as recorded in the lock file.</summary>
    public string Relative(string absolutePath) =>
        Path.GetRelativePath(ProjectDirectory, absolutePath).Replace('\\', '/');
}

/// <summary>
/// A declared data file or directory: absolute path, and the name the lock file and messages use. Data
/// declared through a pointer (<c>data/x.csv.mlops</c>) has the pointer's path too, and is named by
/// the data it tracks (<c>data/x.csv</c>).
/// </summary>
public sealed record DataFile(string FullPath, string Name, string? PointerPath = null);
