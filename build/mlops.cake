// The mlops CLI. In this repository, building src/BuildMlops.Sdk stages it (mlops.dll) beside the SDK's
// targets: the same worker the pipelines' builds start, so the CLI and the builds always agree on
// versions, remotes and registry. In a repository that copied this build and uses BuildMlops from
// NuGet, there is no src/BuildMlops.Sdk: the CLI is the local tool `dotnet mlops` (BuildMlops.Tool in
// .config/dotnet-tools.json, restored by build.sh).

var sdkProject = repoRoot.CombineWithFilePath("src/BuildMlops.Sdk/BuildMlops.Sdk.csproj");
var mlopsDll = repoRoot.CombineWithFilePath("src/BuildMlops.Sdk/tools/net10.0/mlops.dll");
var mlopsFromSource = FileExists(sdkProject);

// What follows `dotnet` to run mlops: the staged mlops.dll, or the local tool's command name.
string MlopsEntryPoint() => mlopsFromSource ? mlopsDll.FullPath : "mlops";

// From source: dotnet build src/BuildMlops.Sdk -c <configuration>, which builds the CLI, the tasks and
// the serving host and stages them under src/BuildMlops.Sdk/tools/. Otherwise: checks that the local
// tool answers.
void BuildTools()
{
    if (!mlopsFromSource)
    {
        var (exitCode, _, errors) = Capture("dotnet", new[] { "mlops", "--version" });
        if (exitCode != 0)
        {
            throw new Exception("No mlops CLI: add it as a local tool (dotnet tool install BuildMlops.Tool) so `dotnet mlops` runs. " + string.Join(" ", errors));
        }
        return;
    }
    DotNetBuild(sdkProject.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        MSBuildSettings = NewMSBuildSettings(),
    });
    if (!FileExists(mlopsDll))
    {
        throw new Exception($"Building BuildMlops.Sdk did not stage {repoRoot.GetRelativePath(mlopsDll)}.");
    }
}

// A command line of separate arguments; one that holds a space or a quote is quoted, so that
// `--reason "Release of v1.2.3"` reaches the program as one argument.
ProcessArgumentBuilder CommandLine(IEnumerable<string> arguments)
{
    var builder = new ProcessArgumentBuilder();
    foreach (var argument in arguments)
    {
        if (argument.Length == 0 || argument.Any(character => char.IsWhiteSpace(character) || character == '"'))
        {
            builder.AppendQuoted(argument.Replace("\"", "\\\""));
        }
        else
        {
            builder.Append(argument);
        }
    }
    return builder;
}

// Runs `dotnet <mlops> <arguments>` in the repository root and fails on a non-zero exit code.
// Cake prints the command line (cake.config: ShowProcessCommandLine), and the CLI's own output passes through.
void RunMlops(params string[] arguments)
{
    var exitCode = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = CommandLine(new[] { MlopsEntryPoint() }.Concat(arguments)),
        WorkingDirectory = repoRoot,
    });
    if (exitCode != 0)
    {
        throw new Exception($"mlops {string.Join(" ", arguments)} failed with exit code {exitCode}; its errors are above.");
    }
}

// Runs <program> <arguments> in the repository root without printing it, and returns its exit code
// and both output streams (for --json, --help, git and -getProperty answers).
(int ExitCode, List<string> Output, List<string> Errors) Capture(string program, IEnumerable<string> arguments)
{
    var exitCode = StartProcess(program, new ProcessSettings
    {
        Arguments = CommandLine(arguments),
        WorkingDirectory = repoRoot,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        Silent = true,
    }, out var output, out var errors);
    return (exitCode, output.ToList(), errors.ToList());
}

// Runs `dotnet <mlops> <arguments>` and returns its exit code and standard output; its standard
// error goes to the diagnostic log.
(int ExitCode, List<string> Output) CaptureMlops(params string[] arguments)
{
    var (exitCode, output, errors) = Capture("dotnet", new[] { MlopsEntryPoint() }.Concat(arguments));
    foreach (var line in errors)
    {
        Verbose(line);
    }
    return (exitCode, output);
}

// Parses the JSON document an `mlops ... --json` command writes, and returns its `result`;
// throws with the command's errors when it did not succeed.
System.Text.Json.JsonElement MlopsJson(params string[] arguments)
{
    var (exitCode, output) = CaptureMlops(arguments.Append("--json").ToArray());
    using var document = System.Text.Json.JsonDocument.Parse(string.Join("\n", output));
    var root = document.RootElement;
    if (exitCode != 0 || !root.GetProperty("succeeded").GetBoolean())
    {
        throw new Exception($"mlops {string.Join(" ", arguments)} failed (exit code {exitCode}): {root}");
    }
    return root.GetProperty("result").Clone();
}

// Whether the mlops CLI has `mlops ci <command>`. An mlops without a `ci` command answers `ci --help`
// with its root help and exit code 0, so the help must be ci's own (its usage line says `mlops ci`) and
// list <command> under Commands.
bool HasCiCommand(string command)
{
    var (exitCode, output) = CaptureMlops("ci", "--help");
    if (exitCode != 0)
    {
        return false;
    }
    var isCiHelp = output.Any(line => line.TrimStart().StartsWith("mlops ci ", StringComparison.Ordinal));
    var listed = output
        .SkipWhile(line => !line.StartsWith("Commands:", StringComparison.Ordinal))
        .Any(line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^\s+{System.Text.RegularExpressions.Regex.Escape(command)}(\s|$)"));
    return isCiHelp && listed;
}

// The name of the default data remote in .mlops/config.json, or null when there is none (then data, the
// run cache and the registry are local to this machine).
string DefaultRemote()
{
    foreach (var remote in MlopsJson("remote", "list").EnumerateArray())
    {
        if (remote.GetProperty("default").GetBoolean())
        {
            return remote.GetProperty("name").GetString();
        }
    }
    return null;
}

// mlops pull [<pipeline folders>]: the tracked data of the selected pipelines (all data when no
// --pipeline was given) from the default remote. Skipped, with a warning, without a default remote.
// The run cache needs no pull: a build asks the remote for each step it would otherwise run.
void PullData(IReadOnlyList<FilePath> pipelines)
{
    var remote = DefaultRemote();
    if (remote is null)
    {
        Warning("No default remote in .mlops/config.json: mlops pull skipped; data, run cache and registry are this machine's own.");
        return;
    }
    var paths = pipelineNames.Length == 0
        ? Array.Empty<string>()
        : pipelines.Select(project => repoRoot.GetRelativePath(project.GetDirectory()).FullPath).ToArray();
    Information("Pulling data from remote '{0}'{1}", remote, paths.Length == 0 ? "" : " for " + string.Join(", ", paths));
    try
    {
        RunMlops(new[] { "pull" }.Concat(paths).ToArray());
    }
    catch (Exception ex)
    {
        // Only a head start: each build fetches the tracked data it lacks itself, and fails then if it
        // cannot (a fork's pull request has no credentials, yet its models may need none).
        Warning("{0} The builds fetch the data they need themselves.", ex.Message);
    }
}

// mlops push --run-cache: data objects and every local run record to the default remote, so other
// machines and jobs restore those steps instead of running them. Skipped, with a warning, without one.
void PushRunCache()
{
    var remote = DefaultRemote();
    if (remote is null)
    {
        Warning("No default remote in .mlops/config.json: mlops push --run-cache skipped.");
        return;
    }
    RunMlops("push", "--run-cache");
}
