using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub.Gathering;

/// <summary>
/// Whether the build trained the model, restored it from the run cache or found it up to date, read from the build's
/// own log (<c>dotnet build … | tee build.log</c>): the train step's status line is the only record of it, since the
/// lock file and the outputs are byte for byte the same either way.
/// </summary>
public static class BuildLogOrigin
{
    private const string Step = "MlopsTrain: ";

    /// <summary>
    /// The origin the last train status line of <paramref name="projectName"/> in <paramref name="logText"/> says; null
    /// when the log has none for it. A log of several projects is told apart by MSBuild's <c>project.csproj</c> prefix
    /// or suffix on each line, when it has one.
    /// </summary>
    public static ModelOrigin? Find(string logText, string projectName)
    {
        ModelOrigin? origin = null;
        foreach (var line in logText.Split('\n'))
        {
            var at = line.IndexOf(Step, StringComparison.Ordinal);
            if (at < 0 || (MentionsAnyProject(line) && !line.Contains(projectName + ".csproj", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var status = line[(at + Step.Length)..];
            origin = status.StartsWith("restored from the run cache", StringComparison.Ordinal) ? ModelOrigin.Restored
                : status.StartsWith("up to date", StringComparison.Ordinal) ? ModelOrigin.UpToDate
                : status.StartsWith("done in", StringComparison.Ordinal) ? ModelOrigin.Trained
                : origin; // "running because …" comes before the line that says how it ended
        }

        return origin;
    }

    /// <summary>Reads <paramref name="path"/> and calls <see cref="Find"/>; BM4001 when the file cannot be read.</summary>
    public static ModelOrigin? FromFile(string path, string projectName)
    {
        try
        {
            return Find(File.ReadAllText(path), projectName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MlopsException(ErrorCodes.ProjectNotFound, new SourceLocation(path), $"the build log cannot be read: {exception.Message}", "Save the build's output first, e.g. dotnet build | tee build.log");
        }
    }

    private static bool MentionsAnyProject(string line) => line.Contains(".csproj", StringComparison.OrdinalIgnoreCase);
}
