using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// The parts of a build's <c>schema.json</c> the model card shows: rows, the label and its balance, and
/// each column's type, role, missing cells and range (the format is in docs/reference.md).
/// </summary>
internal sealed record SchemaProfile(
    long Rows,
    long DroppedRows,
    string LabelName,
    string Task,
    string? PositiveClass,
    IReadOnlyList<KeyValuePair<string, long>> LabelCounts,
    IReadOnlyList<SchemaColumn> Columns)
{
    public IEnumerable<SchemaColumn> Features => Columns.Where(column => column.Role == "feature");

    public static SchemaProfile Parse(byte[] json, SourceLocation where)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var label = root.GetProperty("label");
            return new SchemaProfile(
                root.GetProperty("rows").GetInt64(),
                RegistryJson.OptionalLong(root, "dropped_rows") ?? 0,
                RegistryJson.RequiredString(label, "name"),
                RegistryJson.RequiredString(label, "task"),
                RegistryJson.OptionalString(label, "positive_class"),
                label.TryGetProperty("counts", out var counts) ? counts.EnumerateObject().Select(count => KeyValuePair.Create(count.Name, count.Value.GetInt64())).ToList() : [],
                root.GetProperty("columns").EnumerateArray().Select(column => new SchemaColumn(
                    RegistryJson.RequiredString(column, "name"),
                    RegistryJson.RequiredString(column, "type"),
                    RegistryJson.RequiredString(column, "role"),
                    RegistryJson.OptionalLong(column, "missing") ?? 0,
                    RegistryJson.OptionalDouble(column, "min"),
                    RegistryJson.OptionalDouble(column, "max"),
                    RegistryJson.OptionalDouble(column, "mean"),
                    RegistryJson.OptionalLong(column, "categories"))).ToList());
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MlopsException(ErrorCodes.NotRegistrable, where, $"schema.json cannot be read: {exception.Message}", "Build the project again (dotnet build) so the validate step rewrites it");
        }
    }
}

/// <summary>One column of schema.json: <c>numeric</c>/<c>text</c>/<c>label</c>/<c>unused</c>, its role and its profile.</summary>
internal sealed record SchemaColumn(string Name, string Type, string Role, long Missing, double? Min, double? Max, double? Mean, long? Categories);
