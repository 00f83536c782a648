namespace BuildMlops.ValidateData;

/// <summary>What validation learned about one column; written to schema.json.</summary>
public sealed record ColumnStats(string Name, string Type, string Role, int Missing)
{
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? Mean { get; init; }
    public int? Categories { get; init; }
}
