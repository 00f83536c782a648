// The example model pipelines: each pipelines/<name>/<name>.csproj is a BuildMlops.Sdk project,
// and `dotnet build` on it hashes the data, validates, trains, evaluates and gates the model; the
// SDK's other targets package (MlopsPackage), push (MlopsPush) and register (MlopsRegister) it.

// Every pipeline project, in name order.
IReadOnlyList<FilePath> AllPipelines()
{
    var all = GetFiles(repoRoot.Combine("pipelines").FullPath + "/*/*.csproj")
        .OrderBy(file => file.FullPath, StringComparer.Ordinal)
        .ToList();
    if (all.Count == 0)
    {
        throw new Exception("No pipeline projects found under pipelines/*/.");
    }
    return all;
}

// A pipeline's name: its folder under pipelines/.
string PipelineName(FilePath project) => project.GetDirectory().GetDirectoryName();

// The pipeline projects to build: all of them, or those named with --pipeline.
IReadOnlyList<FilePath> SelectedPipelines()
{
    var all = AllPipelines();
    if (pipelineNames.Length == 0)
    {
        return all;
    }

    var unknown = pipelineNames
        .Where(name => !all.Any(project => string.Equals(PipelineName(project), name, StringComparison.OrdinalIgnoreCase)))
        .ToList();
    if (unknown.Count > 0)
    {
        throw new Exception(
            $"Unknown pipeline(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", all.Select(PipelineName))}.");
    }
    return all
        .Where(project => pipelineNames.Contains(PipelineName(project), StringComparer.OrdinalIgnoreCase))
        .ToList();
}

// `dotnet build <project> -c <configuration> -nodeReuse:false [-t:<target>] [-p:<name>=<value>...]` for
// each project. Every project is tried, so one run reports every failing gate or push; the names of the
// failed ones are returned, in order.
IReadOnlyList<string> BuildEachPipeline(string step, IEnumerable<FilePath> projects, string target, IReadOnlyDictionary<string, string> properties)
{
    var failed = new List<string>();
    foreach (var project in projects)
    {
        var name = PipelineName(project);
        Information("{0} pipeline {1} ({2})", step, name, repoRoot.GetRelativePath(project));
        var settings = new DotNetBuildSettings
        {
            Configuration = configuration,
            MSBuildSettings = NewMSBuildSettings(),
        };
        if (!string.IsNullOrEmpty(target))
        {
            settings.MSBuildSettings.WithTarget(target);
        }
        foreach (var property in properties)
        {
            settings.MSBuildSettings.WithProperty(property.Key, property.Value);
        }
        try
        {
            DotNetBuild(project.FullPath, settings);
        }
        catch (Exception ex)
        {
            Error("{0} failed for pipeline {1}: {2}", step, name, ex.Message);
            failed.Add(name);
        }
    }
    return failed;
}

// As BuildEachPipeline, and the task fails afterwards naming every pipeline that failed.
void BuildPipelinesOrFail(string step, IEnumerable<FilePath> projects, string target, IReadOnlyDictionary<string, string> properties)
{
    var failed = BuildEachPipeline(step, projects, target, properties);
    if (failed.Count > 0)
    {
        throw new Exception($"{step} failed for: {string.Join(", ", failed)}.");
    }
}

// Train and Verify: the whole pipeline, with -p:MlopsVerify=true for Verify.
void BuildPipelines(bool verify)
{
    var properties = new Dictionary<string, string>();
    if (verify)
    {
        properties["MlopsVerify"] = "true";
    }
    BuildPipelinesOrFail(verify ? "Verify" : "Train", SelectedPipelines(), target: null, properties);
}
