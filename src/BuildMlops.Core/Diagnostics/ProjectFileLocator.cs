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

    /// <summary>
    /// Where item <paramref name="itemType"/> with the given Include is declared; with <paramref name="occurrence"/>,
    /// the n-th such item (from 0), so that two gates on one metric each point at their own line.
    /// </summary>
    public static SourceLocation Item(string projectFile, string itemType, string include, int occurrence = 0)
    {
        var needle = $"Include=\"{include}\"";
        var declarations = new List<SourceLocation>();
        try
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(projectFile))
            {
                lineNumber++;
                var column = line.IndexOf(needle, StringComparison.Ordinal);
                if (column >= 0 && line.Contains("<" + itemType, StringComparison.Ordinal))
                {
                    declarations.Add(new SourceLocation(projectFile, lineNumber, column + 1));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The location only decorates an error that is reported anyway.
        }

        if (declarations.Count > 0)
        {
            return declarations[Math.Min(occurrence, declarations.Count - 1)];
        }

        // An item written over several lines, or declared in an imported file: the first mention is the best guess.
        var exact = Find(projectFile, needle);
        return exact.Line > 0 ? exact : Find(projectFile, "<" + itemType);
    }
}
