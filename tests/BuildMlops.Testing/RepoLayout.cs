namespace BuildMlops.Testing;

/// <summary>Where things are in this repository and beside it, found from the test assembly's location.</summary>
public static class RepoLayout
{
    public static string Root { get; } = FindRoot();

    public static string Pipelines => Path.Combine(Root, "pipelines");

    public static string SdkFolder => Path.Combine(Root, "src", "BuildMlops.Sdk", "Sdk");

    public static string SdkProject => Path.Combine(Root, "src", "BuildMlops.Sdk", "BuildMlops.Sdk.csproj");

    /// <summary>The worker and CLI, as staged by building BuildMlops.Sdk.</summary>
    public static string MlopsDll => Path.Combine(Root, "src", "BuildMlops.Sdk", "tools", "net10.0", "mlops.dll");

    /// <summary>The serving host's publish output staged beside the SDK: a model image's app layer.</summary>
    public static string ServingHost => Path.Combine(Root, "src", "BuildMlops.Sdk", "tools", "net10.0", "serve");

    /// <summary>The shared real data sets (../shared/data beside the repository).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    /// <summary>A data file as the example pipelines ship it (copied from shared/data, with attribution).</summary>
    public static string PipelineData(string pipeline, string file) => Path.Combine(Pipelines, pipeline, "data", file);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BuildMlops.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("BuildMlops.sln not found above " + AppContext.BaseDirectory);
    }
}
