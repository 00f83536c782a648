// Command-line arguments the build script reads, with their defaults.
// Pass them as --name=value after the target, e.g. `dotnet cake --target=Train --pipeline=churn`.
// (--target, --verbosity, --dryrun, --tree, --description and --exclusive are Cake's own switches.)
// Defaults that a team sets once live in cake.config's [BuildMlops] section (build/settings.cake).

// --configuration: MSBuild configuration for every dotnet command. Default: Release.
var configuration = Argument("configuration", "Release");

// --pipeline: the pipeline(s) the pipeline targets build: a folder name under pipelines/ (churn, credit,
// concrete). Repeat it or separate names with commas for several. Default: every pipeline.
var pipelineNames = Arguments<string>("pipeline", Array.Empty<string>())
    .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    .Distinct(StringComparer.OrdinalIgnoreCase)
    .ToArray();

// --registry: where Push (and Release) push the model images, e.g. ghcr.io/acme. Default: the
// MLOPS_REGISTRY environment variable, else [BuildMlops] Registry in cake.config.
var registryArgument = Argument<string>("registry", null);

// --image-tag: the images' main tag (MlopsImageTag) for Package and Push. Default: each project's
// version; Release uses the version its tag names (v1.2.3 -> 1.2.3).
var imageTagArgument = Argument<string>("image-tag", null);

// --promote: after Register, point this registry alias (e.g. staging) at each version just registered.
// Default: none for Register; for Release, the alias [BuildMlops] ReleasePromotion maps the tag to.
var promoteArgument = Argument<string>("promote", null);

// --reason: why, for the registry's audit log, when Register or Release promotes.
// Default: "<target> of <tag or commit> by build.cake".
var reasonArgument = Argument<string>("reason", null);

// --base: what PrCheck compares against to find the changed pipelines (a git ref, e.g. origin/main).
// Default: origin/$GITHUB_BASE_REF in a pull request run; otherwise every selected pipeline is checked.
var baseArgument = Argument<string>("base", null);

// --tag: the tag Release releases (v1.2.3). Default: $GITHUB_REF_NAME on a tag run, else the tag on HEAD.
var tagArgument = Argument<string>("tag", null);

// --ci-report: whether PrCheck and Release end with `mlops ci pr-report` / `mlops ci release`.
// false in a matrix job whose report is made once, by a later job (PrReport, PublishRelease). Default: true.
var ciReport = Argument("ci-report", true);
