namespace BuildMlops.Data;

/// <summary>
/// A delimited file as read: the header, and every record's fields as text with the line it starts
/// on, so that any later complaint can name file, line and column.
/// </summary>
public sealed class RawTable
{
    public required string FileName { get; init; }
    public required IReadOnlyList<string> Header { get; init; }
    public required List<RawRecord> Records { get; init; }
}

/// <summary>One record. <see cref="Source"/> names the data file, as the project declares it.</summary>
public sealed record RawRecord(string Source, int Line, string[] Fields);
