using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace BuildMlops.Cake.Tests;

/// <summary>
/// A real <see cref="CakeContext"/> made of Cake.Core's own file system, environment, globber and tool
/// locator, as <c>dotnet cake</c> makes it, except for the process runner, which records what it is
/// asked to start instead of starting it (Cake.Testing's fakes are not on our feed).
/// </summary>
internal static class CakeContextFactory
{
    public static ICakeContext Create(RecordingProcessRunner runner, string workingDirectory)
    {
        var fileSystem = new FileSystem();
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime())
        {
            WorkingDirectory = new DirectoryPath(workingDirectory),
        };
        var globber = new Globber(fileSystem, environment);
        var log = new NullLog();
        var configuration = new CakeConfiguration(new Dictionary<string, string>());
        var tools = new ToolLocator(environment, new ToolRepository(environment), new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        return new CakeContext(
            fileSystem,
            environment,
            globber,
            log,
            new CakeArguments(Array.Empty<string>().ToLookup(name => name)),
            runner,
            new WindowsRegistry(),
            tools,
            new CakeDataService(),
            configuration,
            new ToolInstaller(environment, tools, configuration, log, []),
            new NoServices());
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>Records every process Cake asks it to start, and answers with a finished process of <see cref="ExitCode"/>.</summary>
internal sealed class RecordingProcessRunner : IProcessRunner
{
    public List<StartedProcess> Started { get; } = [];

    public int ExitCode { get; set; }

    public StartedProcess Single => Started.Count == 1 ? Started[0] : throw new InvalidOperationException($"{Started.Count} processes were started, not one");

    public IProcess Start(FilePath filePath, ProcessSettings settings)
    {
        Started.Add(new StartedProcess(filePath, settings.Arguments.Render(), settings.WorkingDirectory));
        return new FinishedProcess(ExitCode);
    }

    private sealed class FinishedProcess(int exitCode) : IProcess
    {
        public void Dispose()
        {
        }

        public void WaitForExit()
        {
        }

        public bool WaitForExit(int milliseconds) => true;

        public int GetExitCode() => exitCode;

        public IEnumerable<string> GetStandardError() => [];

        public IEnumerable<string> GetStandardOutput() => [];

        public void Kill()
        {
        }
    }
}

/// <summary>One process the aliases started: the executable, its rendered arguments, and where it ran.</summary>
internal sealed record StartedProcess(FilePath File, string Arguments, DirectoryPath? WorkingDirectory)
{
    public string FileName => File.GetFilename().FullPath;
}
