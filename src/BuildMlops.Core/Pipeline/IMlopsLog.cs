using BuildMlops.Diagnostics;

namespace BuildMlops.Pipeline;

/// <summary>Where steps report: MSBuild's logger in a build, the console in the CLI and the worker.</summary>
public interface IMlopsLog
{
    /// <summary>Detail, shown at normal verbosity.</summary>
    void Message(string text);

    /// <summary>What a user should see at minimal verbosity: each step's status line.</summary>
    void Important(string text);

    void Warning(string code, SourceLocation location, string message);

    void Error(MlopsException error);
}
