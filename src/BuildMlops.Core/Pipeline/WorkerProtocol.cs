using BuildMlops.Diagnostics;

namespace BuildMlops.Pipeline;

/// <summary>
/// How the worker process (<c>mlops step</c>) reports to the MSBuild task that started it: one line per
/// event on standard output. Errors and warnings use MSBuild's canonical form, which the task hands to
/// MSBuild's own parser; status and detail lines carry a prefix that says their importance.
/// </summary>
public static class WorkerProtocol
{
    public const string ImportantPrefix = "mlops:important ";
    public const string MessagePrefix = "mlops:message ";

    /// <summary>The worker's exit code when it reported a user error (a BMnnnn line).</summary>
    public const int UserErrorExitCode = 1;

    public static string Warning(string code, SourceLocation location, string message) =>
        location.File.Contains("://", StringComparison.Ordinal)
            ? $"mlops : warning {code}: {location.File}: {message}"
            : $"{location}: warning {code}: {message}";

    /// <summary>A log that writes this protocol to a text writer.</summary>
    public sealed class Writer(TextWriter output, bool gitHubActions) : IMlopsLog
    {
        public void Message(string text) => Write(MessagePrefix + text);

        public void Important(string text) => Write(ImportantPrefix + text);

        public void Warning(string code, SourceLocation location, string message) => Write(WorkerProtocol.Warning(code, location, message));

        public void Error(MlopsException error)
        {
            Write(error.ToCanonicalString());
            if (gitHubActions)
            {
                Write(ImportantPrefix + GitHubAnnotation.Error(error));
            }
        }

        private void Write(string line)
        {
            // One line per event: a message with a line break would be split into two events.
            lock (output)
            {
                output.WriteLine(line.Replace('\n', ' ').Replace('\r', ' '));
                output.Flush();
            }
        }
    }
}
