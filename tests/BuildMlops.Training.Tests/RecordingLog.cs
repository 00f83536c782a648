using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Training.Tests;

/// <summary>Keeps every line a step logs, for assertions.</summary>
internal sealed class RecordingLog : IMlopsLog
{
    public List<string> Lines { get; } = [];

    public List<string> Warnings { get; } = [];

    public void Message(string text) => Lines.Add(text);

    public void Important(string text) => Lines.Add(text);

    public void Warning(string code, SourceLocation location, string message) => Warnings.Add($"{code}: {message}");

    public void Error(MlopsException error) => Lines.Add(error.ToCanonicalString());
}
