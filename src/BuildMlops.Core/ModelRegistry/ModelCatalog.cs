using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// <c>registry/models.json</c>: the names of the registered models, so that they can be listed without
/// listing keys. Each registration makes sure its model is in it (compare-and-swap), before it claims a
/// version number; a name missing after a crash comes back with the model's next registration.
/// </summary>
internal static class ModelCatalog
{
    public const int SchemaVersion = 1;

    public static string ToJson(IEnumerable<string> models) => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteStartArray("models");
        foreach (var model in models.Distinct().Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(model);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static IReadOnlyList<string> Parse(byte[] json, SourceLocation where) =>
        RegistryJson.Parse(json, where, "models.json", root => root.GetProperty("models").EnumerateArray().Select(model => model.GetString() ?? "").ToList());
}
