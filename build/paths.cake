// The repository's fixed layout, relative to the folder that holds build.cake (the repo root).

var repoRoot = Context.Environment.WorkingDirectory;        // Cake sets it to the folder of build.cake
var solutionFile = repoRoot.CombineWithFilePath("BuildMlops.sln");
var artifactsDir = repoRoot.Combine("artifacts");
var testResultsDir = artifactsDir.Combine("test-results");  // .trx files from Test
var packagesDir = artifactsDir.Combine("packages");          // .nupkg files from Pack

// What Pack produces: the MSBuild project SDK and the mlops dotnet tool.
var packableProjects = new[]
{
    repoRoot.CombineWithFilePath("src/BuildMlops.Sdk/BuildMlops.Sdk.csproj"),
    repoRoot.CombineWithFilePath("src/BuildMlops.Cli/BuildMlops.Cli.csproj"),
};
