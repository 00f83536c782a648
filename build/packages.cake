// Packing what BuildMlops ships: BuildMlops.Sdk (the MSBuild project SDK) and BuildMlops.Tool
// (the mlops dotnet tool, from src/BuildMlops.Cli). Both go to artifacts/packages, which is also
// the PackageOutputPath that Directory.Build.props sets for a plain `dotnet pack`.

// dotnet pack <project> -c <configuration> -o artifacts/packages, for each packable project.
void PackProducts()
{
    if (!IsBuildMlopsRepository("Pack"))
    {
        return;
    }
    foreach (var project in packableProjects)
    {
        DotNetPack(project.FullPath, new DotNetPackSettings
        {
            Configuration = configuration,
            MSBuildSettings = NewMSBuildSettings(),
            OutputDirectory = packagesDir,
        });
    }
    foreach (var package in GetFiles(packagesDir.FullPath + "/*.nupkg"))
    {
        Information("Package: {0}", repoRoot.GetRelativePath(package));
    }
}
