using System.CommandLine;

namespace BuildMlops.Cli.Commands;

/// <summary>The arguments and options the project commands share.</summary>
internal static class CommonOptions
{
    public static Argument<string?> Project() => new("project")
    {
        Description = "The model project: its directory or .csproj file (default: the current directory)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Write one JSON object to standard output (status lines go to standard error)",
    };

    public static Option<string[]> Properties() => new("--property", "-p")
    {
        Description = "Set an MSBuild property for this run, as Name=Value (e.g. -p MlopsSeed=7); repeatable",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Show each step's detail, not only its status line",
    };
}
