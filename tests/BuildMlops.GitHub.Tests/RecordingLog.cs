using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.GitHub.Tests;

internal sealed class RecordingLog : IMlopsLog
{
    public List<string> Lines { get; } = [];

    public List<(string Code, SourceLocation Location, string Message)> Warnings { get; } = [];

    public void Message(string text) => Lines.Add(text);

    public void Important(string text) => Lines.Add(text);

    public void Warning(string code, SourceLocation location, string message)
    {
        Warnings.Add((code, location, message));
        Lines.Add(WorkerProtocol.Warning(code, location, message));
    }

    public void Error(MlopsException error) => Lines.Add(error.ToCanonicalString());
}
