using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Core.Tests;

internal sealed class RecordingLog : IMlopsLog
{
    public List<string> Lines { get; } = [];

    public void Message(string text) => Lines.Add(text);

    public void Important(string text) => Lines.Add(text);

    public void Warning(string code, SourceLocation location, string message) => Lines.Add($"warning {code}: {message}");

    public void Error(MlopsException error) => Lines.Add(error.ToCanonicalString());
}
