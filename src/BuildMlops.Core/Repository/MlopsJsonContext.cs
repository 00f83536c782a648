using System.Text.Json.Serialization;
using BuildMlops.Pointers;

namespace BuildMlops.Repository;

/// <summary>Source-generated JSON for the data-versioning files: fast to load, no reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MlopsConfig))]
[JsonSerializable(typeof(PointerFile))]
internal sealed partial class MlopsJsonContext : JsonSerializerContext;
