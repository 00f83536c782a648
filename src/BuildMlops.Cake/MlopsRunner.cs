using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace BuildMlops.Cake;

/// <summary>
/// Runs <c>dotnet</c> for the aliases through Cake's <see cref="Tool{TSettings}"/>, so that the usual
/// tool settings (tool path, working directory, environment, timeout, argument customization) and
/// Cake's process runner and logging apply, and a non-zero exit code fails the task.
/// </summary>
internal sealed class MlopsRunner : Tool<MlopsSettings>
{
    private readonly ICakeEnvironment _environment;
    private string _operation = "BuildMlops";

    public MlopsRunner(ICakeContext context)
        : base(context.FileSystem, context.Environment, context.ProcessRunner, context.Tools)
    {
        _environment = context.Environment;
    }

    /// <summary>Runs <c>dotnet build</c> on a model project, with an optional target and the alias's own properties.</summary>
    public void Build(string operation, FilePath project, string? target, MlopsSettings? settings, params KeyValuePair<string, string>[] aliasProperties)
    {
        ArgumentNullException.ThrowIfNull(project);
        settings ??= new MlopsSettings();
        _operation = operation;
        Run(settings, MlopsArguments.Build(project.MakeAbsolute(_environment), target, settings, aliasProperties));
    }

    /// <summary>Runs the <c>mlops</c> CLI with the given arguments.</summary>
    public void Cli(string operation, MlopsSettings? settings, params string[] arguments)
    {
        settings ??= new MlopsSettings();
        _operation = operation;
        Run(settings, MlopsArguments.Cli(settings, _environment, arguments));
    }

    /// <summary>Names the alias that failed: "dotnet: Process returned an error" alone would not say which step it was.</summary>
    protected override void ProcessExitCode(int exitCode)
    {
        if (exitCode != 0)
        {
            throw new CakeException(exitCode, $"{_operation} failed: dotnet exited with code {exitCode}; the errors are in the output above.");
        }
    }

    protected override string GetToolName() => "dotnet (BuildMlops)";

    protected override IEnumerable<string> GetToolExecutableNames() => ["dotnet", "dotnet.exe"];

    /// <summary>The dotnet that runs Cake itself, when the host says which one that is; else dotnet from PATH.</summary>
    protected override IEnumerable<FilePath> GetAlternativeToolPaths(MlopsSettings settings)
    {
        var host = _environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return string.IsNullOrWhiteSpace(host) ? [] : [new FilePath(host)];
    }
}
