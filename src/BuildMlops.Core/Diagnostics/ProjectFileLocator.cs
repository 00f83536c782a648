namespace BuildMlops.Diagnostics;

/// <summary>
/// Finds where a property or item is written in a project file, so an error about a setting points at
/// the line that sets it rather than at the top of the file. A best effort: settings that come from an
/// import or the command line are reported against the project file itself.
/// </summary>
public static class ProjectFileLocator
{
    /// <summary>The first line containing <paramref name="needle"/>, or the file with no line.</summary>
    public static SourceLocation Find(string projectFile, string needle)
    {
        try
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(projectFile))
            {
                lineNumber++;
                var column = line.IndexOf(needle, StringComparison.Ordinal);
                if (column >= 0)
                {
                    return new SourceLocation(projectFile, lineNumber, column + 1);
                }
            }
        }
        catch (IOException)
        {
            // The location only decorates an error that is reported anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new SourceLocation(projectFile);
    }

    /// <summary>Where property <paramref name="name"/> is set.</summary>
    public static SourceLocation Property(string projectFile, string name) => Find(projectFile, "<" + name + ">");

    /// <summary>Where item <paramref name="itemType"/> with the given Include is declared.</summary>
    public static SourceLocation Item(string projectFile, string itemType, string include)
    {
        var exact = Find(projectFile, $"Include=\"{include}\"");
        return exact.Line > 0 ? exact : Find(projectFile, "<" + itemType);
    }
}
