// Command-line arguments the build script reads, with their defaults.
// Pass them as --name=value after the target, e.g. `dotnet cake --target=Train --pipeline=churn`.
// (--target, --verbosity, --dryrun, --tree, --description and --exclusive are Cake's own switches.)

// --configuration: MSBuild configuration for Build, Test, Pack, Train and Verify. Default: Release.
var configuration = Argument("configuration", "Release");

// --pipeline: the pipeline(s) Train and Verify build: a folder name under pipelines/ (churn, credit,
// concrete). Repeat it or separate names with commas for several. Default: every pipeline.
var pipelineNames = Arguments<string>("pipeline", Array.Empty<string>())
    .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    .Distinct(StringComparer.OrdinalIgnoreCase)
    .ToArray();
