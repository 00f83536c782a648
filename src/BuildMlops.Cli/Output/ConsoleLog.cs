using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Cli.Output;

/// <summary>
/// The CLI's human output: step status lines on standard output, detail only with --verbose, errors
/// and warnings on standard error in the canonical <c>file(line,col): error BMnnnn: …</c> form.
/// With --json, status goes to standard error so standard output holds only the JSON document.
/// </summary>
internal sealed class ConsoleLog(bool verbose, bool json) : IMlopsLog
{
    private TextWriter Status => json ? Console.Error : Console.Out;

    public void Message(string text)
    {
        if (verbose)
        {
            Status.WriteLine("  " + text);
        }
    }

    public void Important(string text) => Status.WriteLine(text);

    public void Warning(string code, SourceLocation location, string message) =>
        Console.Error.WriteLine(WorkerProtocol.Warning(code, location, message));

    public void Error(MlopsException error)
    {
        Console.Error.WriteLine(error.ToCanonicalString());
        if (string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            // The Actions runner reads workflow commands from either stream; keep --json output pure.
            (json ? Console.Error : Console.Out).WriteLine(GitHubAnnotation.Error(error));
        }
    }
}
