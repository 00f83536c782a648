using System.CommandLine;
using System.Globalization;
using BuildMlops.Cli.Commands;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Remotes.S3;

// Output never depends on the machine's culture: numbers in logs and files use '.' everywhere.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Remotes this process can open beyond folders. The MSBuild node never loads a cloud SDK: builds hand
// transfers from such remotes to this worker.
S3RemoteRegistration.Register();

var root = new RootCommand("mlops: build steps for machine-learning models. Runs a BuildMlops model project's steps (validate, train, evaluate, gate) incrementally by content, like 'dotnet build' does.")
{
    StepCommand.Create("validate", StepName.ValidateData, "Hash and validate the project's data (MlopsHashData, MlopsValidateData)"),
    StepCommand.Create("train", StepName.Train, "Validate the data and train the model, if anything it depends on changed"),
    StepCommand.Create("evaluate", StepName.Evaluate, "Train if needed, then score the test split and write metrics.json"),
    StepCommand.Create("gate", StepName.Gate, "Run every step through the metric gates; exit 1 if a gate fails"),
    StatusCommand.Create(),
    DataCommands.Create(),
    RemoteCommands.Create(),
    DataCommands.Push("push", "Push data and, with --run-cache, the run cache to a remote (same as 'mlops data push')"),
    DataCommands.Pull("pull", "Pull data from a remote and check it out (same as 'mlops data pull')"),
    RegistryCommands.Create(),
    WorkerCommand.Create(),
    ServeCommand.Create(),
    ImageCommands.Create(),
    MetricsCommands.Create(),
    CiCommands.Create(),
};

try
{
    // Our handler below, not System.CommandLine's: a bug must exit 3, apart from user errors (1).
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception exception)
{
    // Anything that is not a BMnnnn error is a bug: say so plainly, with what is needed to report it.
    var error = new MlopsException(ErrorCodes.Internal, new SourceLocation("mlops"), $"internal error: {exception}", "Please report this, with the command you ran");
    Console.Out.WriteLine(error.ToCanonicalString());
    return 3;
}
