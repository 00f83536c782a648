using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildMlops.Spec;

/// <summary>
/// A model project's settings exactly as MSBuild evaluated them: property values and item lists, all
/// text. The build writes it to <c>obj/mlops/spec.json</c>; the worker process and the <c>mlops</c> CLI
/// read it back, so every front end parses the same input with <see cref="ModelSpecParser"/>.
/// </summary>
public sealed class RawSpec
{
    [JsonPropertyName("projectFile")]
    public string ProjectFile { get; set; } = "";

    [JsonPropertyName("properties")]
    public SortedDictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("items")]
    public SortedDictionary<string, List<RawItem>> Items { get; set; } = new(StringComparer.Ordinal);

    public string Property(string name) => Properties.TryGetValue(name, out var value) ? value.Trim() : "";

    public IReadOnlyList<RawItem> ItemsOf(string itemType) =>
        Items.TryGetValue(itemType, out var items) ? items : [];

    public string ToJson() => JsonSerializer.Serialize(this, RawSpecJsonContext.Default.RawSpec);

    public static RawSpec FromJson(string json) =>
        JsonSerializer.Deserialize(json, RawSpecJsonContext.Default.RawSpec)
        ?? throw new InvalidDataException("spec is empty");
}

/// <summary>One item: its Include and the metadata the SDK passes on.</summary>
public sealed class RawItem
{
    [JsonPropertyName("include")]
    public string Include { get; set; } = "";

    [JsonPropertyName("metadata")]
    public SortedDictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

    public string Get(string name) => Metadata.TryGetValue(name, out var value) ? value.Trim() : "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RawSpec))]
internal sealed partial class RawSpecJsonContext : JsonSerializerContext;
