namespace BuildMlops.Diagnostics;

/// <summary>
/// GitHub Actions workflow commands (<c>::error file=…,line=…::message</c>), so that under
/// <c>GITHUB_ACTIONS=true</c> a failed gate also appears on the run summary and the pull request diff.
/// </summary>
public static class GitHubAnnotation
{
    public static string Error(MlopsException error, string? workspace = null)
    {
        var file = error.Location.File;
        workspace ??= Environment.GetEnvironmentVariable("GITHUB_WORKSPACE");
        if (!string.IsNullOrEmpty(workspace) && Path.IsPathRooted(file))
        {
            file = Path.GetRelativePath(workspace, file).Replace('\\', '/');
        }

        var properties = new List<string> { "file=" + EscapeProperty(file) };
        if (error.Location.Line > 0)
        {
            properties.Add("line=" + error.Location.Line);
        }

        if (error.Location.Column > 0)
        {
            properties.Add("col=" + error.Location.Column);
        }

        properties.Add("title=" + EscapeProperty(error.Code));
        return $"::error {string.Join(",", properties)}::{EscapeData(error.FullMessage)}";
    }

    // The escapes the Actions runner undoes (actions/toolkit, command.ts).
    private static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
