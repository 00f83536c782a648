using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildMlops.Tasks;

/// <summary>Routes step reports to MSBuild's logger, with codes and locations that IDEs link.</summary>
internal sealed class MSBuildLog(TaskLoggingHelper log, bool gitHubActions) : IMlopsLog
{
    public void Message(string text) => log.LogMessage(MessageImportance.Normal, text);

    public void Important(string text) => log.LogMessage(MessageImportance.High, text);

    public void Warning(string code, SourceLocation location, string message) =>
        log.LogWarning(null, code, null, location.File, location.Line, location.Column, 0, 0, message);

    public void Error(MlopsException error)
    {
        log.LogError(null, error.Code, null, error.Location.File, error.Location.Line, error.Location.Column, 0, 0, error.FullMessage);
        if (gitHubActions)
        {
            // High importance messages reach the console at every verbosity, and the Actions runner
            // reads workflow commands from any line of the job's output.
            log.LogMessage(MessageImportance.High, GitHubAnnotation.Error(error));
        }
    }
}
