using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub;

/// <summary>
/// Appends Markdown to the job's step summary (<c>GITHUB_STEP_SUMMARY</c>), which the workflow run's page shows. It
/// needs no token and no permission, so it is where the report always lands, fork or not.
/// </summary>
public static class StepSummaryWriter
{
    /// <summary>
    /// Appends <paramref name="markdown"/> to the file at <paramref name="path"/>, after a blank line when the file
    /// already has content (other steps write there too). False when there is no path (not in Actions); BM9101 when
    /// the file cannot be written.
    /// </summary>
    public static bool Append(string? path, string markdown)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return false;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            using var writer = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (file.Position > 0)
            {
                writer.Write("\n");
            }

            writer.Write(markdown.EndsWith('\n') ? markdown : markdown + "\n");
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MlopsException(
                ErrorCodes.GitHubContextMissing,
                new SourceLocation(path),
                $"the step summary file GITHUB_STEP_SUMMARY names cannot be written: {exception.Message}",
                "Leave GITHUB_STEP_SUMMARY as the runner sets it");
        }
    }
}
