using System.Text.Json;
using BuildMlops.Cli.Output;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// Runs a command body the same way for every data and remote command: BMnnnn errors to standard error
/// and exit code 1, and with --json the body's result (or the errors) as one JSON object on standard output.
/// </summary>
internal static class CliAction
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NewLine = "\n",
    };

    public static int Run(bool json, Func<IMlopsLog, object?> body)
    {
        var log = new ConsoleLog(verbose: false, json: json);
        try
        {
            var result = body(log);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { succeeded = true, result }, JsonOptions));
            }

            return 0;
        }
        catch (MlopsException error)
        {
            log.Error(error);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { succeeded = false, errors = new[] { new { code = error.Code, file = error.Location.File, line = error.Location.Line, message = error.Message, help = error.Help } } }, JsonOptions));
            }

            return WorkerProtocol.UserErrorExitCode;
        }
    }
}
