using System.Text.RegularExpressions;
using BuildMlops.Testing;

namespace BuildMlops.IntegrationTests;

/// <summary>Reads what a build said about its steps.</summary>
internal static partial class BuildOutput
{
    public static readonly string[] Steps = ["MlopsValidateData", "MlopsTrain", "MlopsEvaluate", "MlopsGate"];

    /// <summary>The steps whose log line says they ran.</summary>
    public static IReadOnlyList<string> StepsThatRan(ProcessResult result) =>
        [.. Steps.Where(step => result.StandardOutput.Contains(step + ": running because", StringComparison.Ordinal))];

    public static IReadOnlyList<string> StepsUpToDate(ProcessResult result) =>
        [.. Steps.Where(step => result.StandardOutput.Contains(step + ": up to date", StringComparison.Ordinal))];

    /// <summary>Distinct error codes MSBuild reported, e.g. BM1003.</summary>
    public static IReadOnlyList<string> ErrorCodes(ProcessResult result) =>
        [.. ErrorPattern().Matches(result.Output).Select(match => match.Groups[1].Value).Distinct()];

    [GeneratedRegex(@"error (BM\d{4}):")]
    private static partial Regex ErrorPattern();
}
