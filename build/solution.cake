// Building the product: every project of BuildMlops.sln (the SDK, its tasks, the mlops CLI, the Cake
// aliases and the tests). The example pipelines are not in the solution: Train builds them.

// MSBuild settings every dotnet command here starts from: -nodeReuse:false, because a build node left
// running keeps the SDK's task assembly loaded, and the next build would run that stale copy.
DotNetMSBuildSettings NewMSBuildSettings() => new DotNetMSBuildSettings { NodeReuse = false };

// dotnet build BuildMlops.sln -c <configuration>
void BuildSolution()
{
    DotNetBuild(solutionFile.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        MSBuildSettings = NewMSBuildSettings(),
    });
}
