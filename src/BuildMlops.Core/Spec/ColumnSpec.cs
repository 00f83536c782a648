namespace BuildMlops.Spec;

/// <summary>An <c>MlopsColumn</c> item: a column's declared type, or that it is not a feature.</summary>
public sealed record ColumnSpec(string Name, ColumnType? Type, bool Ignore);
