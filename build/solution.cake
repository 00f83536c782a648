// Building the product: every project of BuildMlops.sln (the SDK, its tasks, the mlops CLI and, once
// they exist, the tests). The example pipelines are not in the solution: Train builds them.

// dotnet build BuildMlops.sln -c <configuration>
void BuildSolution()
{
    DotNetBuild(solutionFile.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
    });
}
