using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>A log for transfers under test: what it is told is kept, to show in a failing test's message.</summary>
internal sealed class SilentLog : IMlopsLog
{
    public List<string> Lines { get; } = [];

    public void Message(string text) => Lines.Add(text);

    public void Important(string text) => Lines.Add(text);

    public void Warning(string code, SourceLocation location, string message) => Lines.Add($"warning {code}: {message}");

    public void Error(MlopsException error) => Lines.Add(error.ToCanonicalString());
}
