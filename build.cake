// BuildMlops build entry point, run by Cake (.NET tool pinned in .config/dotnet-tools.json):
//
//   ./build.sh [--target=<Target>] [--configuration=Release] [--pipeline=<name>[,<name>...]]
//   dotnet cake --target=Train --pipeline=churn      (after `dotnet tool restore`)
//
// Targets: Build (default), Test, Pack, Train, Verify. docs/cake.md describes each one, its
// arguments and how it relates to .ci/run. Cake's own settings are in cake.config; the helpers
// below are under build/, one concern per file. Only Cake's built-in aliases: no #addin, no #tool.

#load "build/arguments.cake"
#load "build/paths.cake"
#load "build/solution.cake"
#load "build/tests.cake"
#load "build/packages.cake"
#load "build/pipelines.cake"

var target = Argument("target", "Default");

Setup(context =>
{
    Information("Target: {0}, configuration: {1}", target, configuration);
});

Task("Build")
    .Description("Builds BuildMlops.sln (dotnet build BuildMlops.sln -c <configuration>).")
    .Does(BuildSolution);

Task("Test")
    .Description("Runs dotnet test BuildMlops.sln with a trx logger into artifacts/test-results; fails on a failing test.")
    .Does(() =>
    {
        if (HasTestsToRun())
        {
            RunTests();
        }
    });

Task("Pack")
    .Description("Packs BuildMlops.Sdk and the mlops tool (src/BuildMlops.Cli) into artifacts/packages.")
    .Does(PackProducts);

Task("Train")
    .Description("Builds (trains, evaluates and gates) every pipeline under pipelines/, or those given with --pipeline.")
    .Does(() => BuildPipelines(verify: false));

Task("Verify")
    .Description("As Train, with -p:MlopsVerify=true: retrains and requires the outputs recorded in mlops.lock.json.")
    .Does(() => BuildPipelines(verify: true));

Task("Default")
    .Description("Build.")
    .IsDependentOn("Build");

RunTarget(target);
