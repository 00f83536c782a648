using System.Diagnostics;
using System.Text;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildMlops.Tasks;

/// <summary>
/// Starts the mlops worker (<c>dotnet mlops.dll …</c>) for work that must not run in the MSBuild node
/// (ML.NET, network transfers), relays its <see cref="WorkerProtocol"/> lines to MSBuild's logger as
/// they come, and can be killed when the build is cancelled.
/// </summary>
internal sealed class WorkerProcess(TaskLoggingHelper log, string dotnetHost, string workerPath)
{
    private Process? _process;

    public void Cancel()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Runs the worker with <paramref name="arguments"/>; true when it succeeded and reported no error.</summary>
    public bool Run(IEnumerable<string> arguments, string what, string errorFile)
    {
        var host = dotnetHost.Length > 0 ? dotnetHost : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(workerPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        log.LogMessage(MessageImportance.Low, $"starting worker: {host} {string.Join(" ", start.ArgumentList)}");
        var standardError = new StringBuilder();
        using (_process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the mlops worker"))
        {
            _process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is not null)
                {
                    lock (standardError)
                    {
                        standardError.AppendLine(line.Data);
                    }
                }
            };
            _process.BeginErrorReadLine();
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                Relay(line);
            }

            _process.WaitForExit();
            if (_process.ExitCode != 0 && !log.HasLoggedErrors)
            {
                log.LogError(null, ErrorCodes.Internal, null, errorFile, 0, 0, 0, 0, $"the mlops worker failed (exit code {_process.ExitCode}) running {what}: {standardError.ToString().Trim()}");
            }

            return _process.ExitCode == 0 && !log.HasLoggedErrors;
        }
    }

    private void Relay(string line)
    {
        if (line.StartsWith(WorkerProtocol.ImportantPrefix, StringComparison.Ordinal))
        {
            log.LogMessage(MessageImportance.High, line[WorkerProtocol.ImportantPrefix.Length..]);
        }
        else if (line.StartsWith(WorkerProtocol.MessagePrefix, StringComparison.Ordinal))
        {
            log.LogMessage(MessageImportance.Normal, line[WorkerProtocol.MessagePrefix.Length..]);
        }
        else
        {
            // Canonical "file(line,col): error BMnnnn: …" lines become real errors and warnings.
            log.LogMessageFromText(line, MessageImportance.Normal);
        }
    }
}
