// BuildMlops build entry point, run by Cake (.NET tool pinned in .config/dotnet-tools.json):
//
//   ./build.sh [--target=<Target>] [--configuration=Release] [--pipeline=<name>[,<name>...]]
//   dotnet cake --target=Train --pipeline=churn      (after `dotnet tool restore`)
//
// Targets: Build (default), Test, Pack, Train, Verify, Tools, Package, Push, Register, PrCheck,
// PrReport, PushRunCache, Release, PublishRelease. docs/cake.md describes each one, its arguments and
// the [BuildMlops] settings in cake.config; docs/ci.md the workflows that run them. The helpers below
// are under build/, one concern per file. Only Cake's built-in aliases: no #addin, no #tool.

#load "build/arguments.cake"
#load "build/paths.cake"
#load "build/settings.cake"
#load "build/solution.cake"
#load "build/tests.cake"
#load "build/packages.cake"
#load "build/pipelines.cake"
#load "build/mlops.cake"
#load "build/ci.cake"
#load "build/images.cake"
#load "build/registry.cake"

var target = Argument("target", "Default");

Setup(context =>
{
    Information("Target: {0}, configuration: {1}", target, configuration);
    // A release is decided before anything runs: a missing or malformed tag must not cost a retrain.
    if (target is "Release" or "PublishRelease")
    {
        release = ResolveRelease();
        Information("Release {0}: images tagged {1} (and the commit), promoted to {2}", release.Tag, release.Version, release.Alias ?? "no alias");
    }
});

Task("Build")
    .Description("Builds BuildMlops.sln (dotnet build BuildMlops.sln -c <configuration>).")
    .Does(BuildSolution);

Task("Test")
    .Description("Builds, then runs dotnet test BuildMlops.sln --no-build with a trx logger into artifacts/test-results; fails on a failing test.")
    .IsDependentOn("Build")
    .Does(() =>
    {
        if (IsBuildMlopsRepository("Test") && HasTestsToRun())
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

Task("Tools")
    .Description("Builds src/BuildMlops.Sdk, which stages the mlops CLI the other targets run (without it: checks the local tool, dotnet mlops).")
    .Does(BuildTools);

Task("Package")
    .Description("MlopsPackage for each pipeline: its OCI image in bin/mlops/image/ (tag: --image-tag, or the release version).")
    .Does(PackagePipelines);

Task("Push")
    .Description("MlopsPush for each pipeline, to --registry, else MLOPS_REGISTRY, else [BuildMlops] Registry in cake.config.")
    .Does(PushPipelines);

Task("Register")
    .Description("MlopsRegister for each pipeline; with --promote=<alias>, then points that alias at each version registered.")
    .IsDependentOn("Tools")
    .Does(() => RegisterPipelines(release?.Alias ?? promoteArgument, PromotionReason(target)));

Task("PrCheck")
    .Description("mlops pull, then builds each pipeline changed since --base (or all) with every gate, then mlops ci pr-report if this mlops has it; fails when a pipeline fails.")
    .IsDependentOn("Tools")
    .Does(PrCheck);

Task("PrReport")
    .Description("mlops ci pr-report for the pipelines built by earlier jobs (outputs in place); fails when one of their gates failed.")
    .IsDependentOn("Tools")
    .Does(PrReport);

Task("PushRunCache")
    .Description("mlops push --run-cache to the default remote, so other jobs and machines restore these runs.")
    .IsDependentOn("Tools")
    .Does(PushRunCache);

Task("Release")
    .Description("For a v* tag: Verify, Package, Push (version and commit tags), Register, promote to the tag's alias, then mlops ci release if this mlops has it.")
    .IsDependentOn("Tools")
    .IsDependentOn("Verify")
    .IsDependentOn("Package")
    .IsDependentOn("Push")
    .IsDependentOn("Register")
    .Does(() =>
    {
        if (ciReport)
        {
            PublishRelease();
        }
    });

Task("PublishRelease")
    .Description("mlops ci release for the tag (--tag, or the run's tag) and the pipelines, if this mlops has it.")
    .IsDependentOn("Tools")
    .Does(PublishRelease);

Task("Default")
    .Description("Build.")
    .IsDependentOn("Build");

RunTarget(target);
