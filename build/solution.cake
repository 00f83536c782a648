// Building the product: every project of BuildMlops.sln (the SDK, its tasks, the mlops CLI, the Cake
// aliases and the tests). The example pipelines are not in the solution: Train builds them.

// MSBuild settings every dotnet command here starts from: -nodeReuse:false, because a build node left
// running keeps the SDK's task assembly loaded, and the next build would run that stale copy.
DotNetMSBuildSettings NewMSBuildSettings() => new DotNetMSBuildSettings { NodeReuse = false };

// Whether this repository is BuildMlops itself. A team's repository that copied this build has no
// BuildMlops.sln: there Build, Test and Pack have nothing to do, and say so instead of failing.
bool IsBuildMlopsRepository(string targetName)
{
    if (FileExists(solutionFile))
    {
        return true;
    }
    Warning("{0}: no {1} here, so nothing to do; Build, Test and Pack are BuildMlops's own targets. The model targets are Train, Verify, Package, Push, Register, PrCheck and Release (docs/cake.md).",
        targetName, repoRoot.GetRelativePath(solutionFile));
    return false;
}

// dotnet build BuildMlops.sln -c <configuration>
void BuildSolution()
{
    if (!IsBuildMlopsRepository("Build"))
    {
        return;
    }
    DotNetBuild(solutionFile.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        MSBuildSettings = NewMSBuildSettings(),
    });
}
