using System.Diagnostics;

namespace BuildMlops.Testing;

/// <summary>Stopping a server the tests started: the process and its children, whatever state it is in.</summary>
public static class ProcessTree
{
    /// <summary>
    /// Kills <paramref name="process"/> with its children if it still runs, waits for it (10 s at most: a
    /// server that will not die must not hang the test run), and disposes it.
    /// </summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        process.Dispose();
    }
}
