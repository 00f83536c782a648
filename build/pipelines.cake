// The example model pipelines: each pipelines/<name>/<name>.csproj is a BuildMlops.Sdk project,
// and `dotnet build` on it hashes the data, validates, trains, evaluates and gates the model.

// The pipeline projects to build: all of them, or those named with --pipeline.
IReadOnlyList<FilePath> SelectedPipelines()
{
    var all = GetFiles(repoRoot.Combine("pipelines").FullPath + "/*/*.csproj")
        .OrderBy(file => file.FullPath, StringComparer.Ordinal)
        .ToList();
    if (all.Count == 0)
    {
        throw new Exception("No pipeline projects found under pipelines/*/.");
    }
    if (pipelineNames.Length == 0)
    {
        return all;
    }

    string NameOf(FilePath project) => project.GetDirectory().GetDirectoryName();
    var unknown = pipelineNames
        .Where(name => !all.Any(project => string.Equals(NameOf(project), name, StringComparison.OrdinalIgnoreCase)))
        .ToList();
    if (unknown.Count > 0)
    {
        throw new Exception(
            $"Unknown pipeline(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", all.Select(NameOf))}.");
    }
    return all
        .Where(project => pipelineNames.Contains(NameOf(project), StringComparer.OrdinalIgnoreCase))
        .ToList();
}

// Builds each selected pipeline (dotnet build <project> -c <configuration> [-p:MlopsVerify=true]).
// Every pipeline is tried, so one run reports all failing gates; the task fails if any did.
void BuildPipelines(bool verify)
{
    var failed = new List<string>();
    foreach (var project in SelectedPipelines())
    {
        var name = project.GetDirectory().GetDirectoryName();
        Information("{0} pipeline {1} ({2})", verify ? "Verifying" : "Training", name, repoRoot.GetRelativePath(project));
        var settings = new DotNetBuildSettings
        {
            Configuration = configuration,
            MSBuildSettings = new DotNetMSBuildSettings(),
        };
        if (verify)
        {
            settings.MSBuildSettings.WithProperty("MlopsVerify", "true");
        }
        try
        {
            DotNetBuild(project.FullPath, settings);
        }
        catch (Exception ex)
        {
            Error("Pipeline {0} failed: {1}", name, ex.Message);
            failed.Add(name);
        }
    }
    if (failed.Count > 0)
    {
        throw new Exception($"{(verify ? "Verify" : "Train")} failed for: {string.Join(", ", failed)}.");
    }
}
