using BuildMlops.Diagnostics;

namespace BuildMlops.Serving;

/// <summary>
/// Runs a server to the end for a command line (<c>mlops-serve</c>, <c>mlops serve</c>): BMnnnn errors go
/// to standard error in canonical form with exit code 1, as everywhere in BuildMlops.
/// </summary>
public static class ServeCommandLine
{
    public const int UserErrorExitCode = 1;

    public static async Task<int> RunAsync(Func<ServingOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            await using var server = ModelServer.Create(options());
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (MlopsException error)
        {
            Console.Error.WriteLine(error.ToCanonicalString());
            return UserErrorExitCode;
        }
    }
}
