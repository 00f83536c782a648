using System.Text.Json;
using System.Text.Json.Serialization;
using BuildMlops.IO;

namespace BuildMlops.Images.Package;

/// <summary>bin/mlops/image/push.json: where the last push went and what it sent.</summary>
public sealed class PushSummary
{
    /// <summary>registry/repository@sha256:…, the reference to deploy.</summary>
    [JsonPropertyName("reference")]
    public string Reference { get; set; } = "";

    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";

    [JsonPropertyName("tags")]
    public List<string> Tags { get; set; } = [];

    [JsonPropertyName("blobs_uploaded")]
    public int BlobsUploaded { get; set; }

    [JsonPropertyName("blobs_skipped")]
    public int BlobsSkipped { get; set; }

    [JsonPropertyName("blobs_mounted")]
    public int BlobsMounted { get; set; }

    [JsonPropertyName("bytes_uploaded")]
    public long BytesUploaded { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, PushSummaryJsonContext.Default.PushSummary) + "\n";

    public void Write(string path) => AtomicFile.WriteAllTextIfChanged(path, ToJson());
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PushSummary))]
internal sealed partial class PushSummaryJsonContext : JsonSerializerContext;
