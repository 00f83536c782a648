namespace BuildMlops.Diagnostics;

/// <summary>A place in a file that an error points at. Line and column are 1-based; 0 means unknown.</summary>
public readonly record struct SourceLocation(string File, int Line = 0, int Column = 0)
{
    /// <summary>The MSBuild canonical form, <c>file(line,col)</c>, that IDEs and CI turn into links.</summary>
    public override string ToString() =>
        Line > 0 ? (Column > 0 ? $"{File}({Line},{Column})" : $"{File}({Line})") : File;
}
