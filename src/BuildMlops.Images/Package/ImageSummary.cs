using System.Text.Json;
using System.Text.Json.Serialization;
using BuildMlops.IO;

namespace BuildMlops.Images.Package;

/// <summary>
/// bin/mlops/image/image.json: what the package step built and from what. Scripts read the digest
/// and reference here; the next build compares <see cref="Fingerprint"/> to skip an unchanged image.
/// </summary>
public sealed class ImageSummary
{
    [JsonPropertyName("fingerprint")]
    public string Fingerprint { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("tag")]
    public string Tag { get; set; } = "";

    /// <summary>Every tag a push gives the image, the first being <see cref="Tag"/>.</summary>
    [JsonPropertyName("tags")]
    public List<string> Tags { get; set; } = [];

    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";

    [JsonPropertyName("config_digest")]
    public string ConfigDigest { get; set; } = "";

    [JsonPropertyName("created")]
    public string Created { get; set; } = "";

    [JsonPropertyName("revision")]
    public string? Revision { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("base")]
    public BaseSummary Base { get; set; } = new();

    [JsonPropertyName("model_sha256")]
    public string ModelSha256 { get; set; } = "";

    [JsonPropertyName("layers")]
    public List<LayerSummary> Layers { get; set; } = [];

    [JsonPropertyName("layout")]
    public string Layout { get; set; } = "layout";

    [JsonPropertyName("tar")]
    public string Tar { get; set; } = "image.tar";

    public static ImageSummary? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), ImageSummaryJsonContext.Default.ImageSummary) : null;
        }
        catch (JsonException)
        {
            // A damaged summary only costs a rebuild.
            return null;
        }
    }

    public void Write(string path) =>
        AtomicFile.WriteAllTextIfChanged(path, JsonSerializer.Serialize(this, ImageSummaryJsonContext.Default.ImageSummary) + "\n");
}

public sealed class BaseSummary
{
    /// <summary>MlopsBaseImage as written.</summary>
    [JsonPropertyName("reference")]
    public string Reference { get; set; } = "";

    /// <summary>What it pointed at when the image was built: the registry's digest (for a multi-platform base, the index's).</summary>
    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";
}

public sealed class LayerSummary
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = "";

    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";

    [JsonPropertyName("size")]
    public long Size { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageSummary))]
internal sealed partial class ImageSummaryJsonContext : JsonSerializerContext;
