using System.Text.Json;
using BuildMlops.IO;

namespace BuildMlops.ValidateData;

/// <summary>
/// schema.json: the inferred schema and a profile of the data (rows, missing cells, label balance).
/// It records what the model was trained on: types, roles, missing cells, label balance.
/// </summary>
public sealed class DataProfile
{
    public required int Rows { get; init; }
    public required int DroppedRows { get; init; }
    public required string Task { get; init; }
    public required string Label { get; init; }
    public string? PositiveClass { get; init; }
    public required SortedDictionary<string, int> LabelCounts { get; init; }
    public required IReadOnlyList<ColumnStats> Columns { get; init; }

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("rows", Rows);
        writer.WriteNumber("dropped_rows", DroppedRows);
        writer.WriteStartObject("label");
        writer.WriteString("name", Label);
        writer.WriteString("task", Task);
        if (PositiveClass is not null)
        {
            writer.WriteString("positive_class", PositiveClass);
        }

        writer.WriteStartObject("counts");
        foreach (var (value, count) in LabelCounts)
        {
            writer.WriteNumber(value, count);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("columns");
        foreach (var column in Columns)
        {
            WriteColumn(writer, column);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteColumn(Utf8JsonWriter writer, ColumnStats column)
    {
        writer.WriteStartObject();
        writer.WriteString("name", column.Name);
        writer.WriteString("type", column.Type);
        writer.WriteString("role", column.Role);
        writer.WriteNumber("missing", column.Missing);
        if (column.Min is { } min)
        {
            writer.WriteNumber("min", min);
        }

        if (column.Max is { } max)
        {
            writer.WriteNumber("max", max);
        }

        if (column.Mean is { } mean)
        {
            writer.WriteNumber("mean", mean);
        }

        if (column.Categories is { } categories)
        {
            writer.WriteNumber("categories", categories);
        }

        writer.WriteEndObject();
    }
}
