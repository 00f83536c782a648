// The model registry: MlopsRegister stores each pipeline's gated model as a version (on the default
// remote, else in .mlops/registry), and `mlops registry promote` points an alias at it.

// dotnet build <pipeline> -t:MlopsRegister for each selected pipeline, then, with an alias, promotes
// each version just registered to it.
void RegisterPipelines(string alias, string reason)
{
    var properties = ImageProperties();
    if (imagesPackaged)
    {
        properties["MlopsPackage"] = "true";
    }
    var pipelines = SelectedPipelines();
    BuildPipelinesOrFail("Register", pipelines, "MlopsRegister", properties);
    if (string.IsNullOrWhiteSpace(alias))
    {
        return;
    }
    foreach (var project in pipelines)
    {
        PromoteRegistered(project, alias.Trim(), reason);
    }
}

// Promotes the registered version that holds this project's model.zip: the registry is asked for the
// model's versions and the newest one with the same model hash is the one MlopsRegister just stored
// or found (a registration of the same bytes returns the existing version).
void PromoteRegistered(FilePath project, string alias, string reason)
{
    var (model, outputDirectory) = RegistryIdentity(project);
    var modelFile = outputDirectory.CombineWithFilePath("model.zip");
    var hash = CalculateFileHash(modelFile, HashAlgorithm.SHA256).ToHex();
    var version = MlopsJson("registry", "list", model).GetProperty("versions").EnumerateArray()
        .Where(entry => string.Equals(entry.GetProperty("model_sha256").GetString(), hash, StringComparison.OrdinalIgnoreCase))
        .Select(entry => entry.GetProperty("version").GetInt32())
        .DefaultIfEmpty(0)
        .Max();
    if (version == 0)
    {
        throw new Exception($"The registry has no version of {model} with model sha256 {hash} ({repoRoot.GetRelativePath(modelFile)}): register it first.");
    }
    Information("Promoting {0} version {1} to {2}", model, version, alias);
    RunMlops("registry", "promote", model, version.ToString(System.Globalization.CultureInfo.InvariantCulture), alias, "--reason", reason);
}

// A project's registry name (MlopsModelName) and output folder (MlopsOutputPath), as MSBuild
// evaluates them: a project may set either, so neither is guessed from the folder name.
(string Model, DirectoryPath OutputDirectory) RegistryIdentity(FilePath project)
{
    var (exitCode, output, errors) = Capture("dotnet", new[]
    {
        "msbuild", project.FullPath, "-nologo", "-nodeReuse:false", "-p:Configuration=" + configuration,
        "-getProperty:MlopsModelName", "-getProperty:MlopsOutputPath",
    });
    if (exitCode != 0)
    {
        throw new Exception($"dotnet msbuild -getProperty on {repoRoot.GetRelativePath(project)} failed (exit code {exitCode}): {string.Join("\n", output.Concat(errors))}");
    }
    using var document = System.Text.Json.JsonDocument.Parse(string.Join("\n", output));
    var properties = document.RootElement.GetProperty("Properties");
    var outputPath = properties.GetProperty("MlopsOutputPath").GetString().Replace('\\', '/');
    return (properties.GetProperty("MlopsModelName").GetString(), project.GetDirectory().Combine(outputPath));
}
