using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BuildMlops.Testing;

/// <summary>
/// A test server run as a child process that picks its own port on 127.0.0.1 and prints it once it listens
/// (s3rver's and Prism's "listening on 127.0.0.1:PORT"): started, its output kept for a failing test's message, the
/// port read from that line, and killed with its children on dispose. When the program cannot be run or does not
/// listen in time, <see cref="Start"/> throws with what to install, so a test using it fails rather than skips.
/// </summary>
public sealed class ListeningProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ListeningProcess(Process process) => this.process = process;

    /// <summary>The port the server printed.</summary>
    public int Port { get; private set; }

    public bool HasExited => process.HasExited;

    /// <summary>Everything the server printed so far, both streams.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="start"/> (its streams are redirected here) and waits until a line matches
    /// <paramref name="listeningLine"/>, whose first group is the port. <paramref name="what"/> names the server in
    /// errors, and <paramref name="installHint"/> says how to install it.
    /// </summary>
    public static ListeningProcess Start(string what, ProcessStartInfo start, Regex listeningLine, TimeSpan timeout, string installHint)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"{start.FileName} cannot be run ({exception.Message}): {installHint}", exception);
        }

        var server = new ListeningProcess(process);
        try
        {
            server.Port = server.WaitForPort(what, listeningLine, timeout, installHint);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose() => ProcessTree.Stop(process);

    private int WaitForPort(string what, Regex listeningLine, TimeSpan timeout, string installHint)
    {
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                port.TrySetException(new InvalidOperationException($"{what} exited before it listened"));
                return;
            }

            Append(line.Data);
            if (listeningLine.Match(line.Data) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            if (!port.Task.Wait(timeout))
            {
                throw new TimeoutException();
            }
        }
        catch (Exception exception) when (exception is TimeoutException or AggregateException)
        {
            throw new InvalidOperationException($"{what} did not start listening within {timeout.TotalSeconds:0} s; if it is broken, reinstall it ({installHint}). Its output ends:\n{Tail(Output)}");
        }

        return port.Task.Result;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    // Prism prints every operation it serves at start (over a thousand lines): only the end says what went wrong.
    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}
