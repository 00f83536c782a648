using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// One immutable version of a registered model, as its <c>version.json</c> records it: when and by whom it
/// was registered, what it predicts, its metrics and gate results, its commit, and the SHA-256 and size
/// of every file in its folder, so a damaged file is found whenever it is read.
/// </summary>
public sealed record RegisteredVersion
{
    public const int SchemaVersion = 1;

    public required string Model { get; init; }

    public required int Version { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public required string RegisteredBy { get; init; }

    /// <summary>SHA-256 over the hashes of model.zip, metrics.json and mlops.lock.json: equal bytes, equal fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>regression</c>.</summary>
    public required string Task { get; init; }

    public required string Label { get; init; }

    /// <summary>The binary model's positive class, from schema.json; null for other tasks.</summary>
    public string? PositiveClass { get; init; }

    public string? GitCommit { get; init; }

    public bool? GitDirty { get; init; }

    public string? ImageDigest { get; init; }

    /// <summary>The metrics in metrics.json's order; NaN for a metric undefined on the test split.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> MetricValues { get; init; }

    /// <summary>The metrics by name; NaN for a metric undefined on the test split.</summary>
    public IReadOnlyDictionary<string, double> Metrics => MetricValues.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    public required GateSummary Gates { get; init; }

    /// <summary>Every file of the version by name (model.zip, metrics.json, mlops.lock.json, card.md, lineage.json, …).</summary>
    public required IReadOnlyDictionary<string, RegisteredFile> Files { get; init; }

    public RegisteredFile ModelFile => Files[RegisteredFile.Model];

    /// <summary>SHA-256 of <c>model.zip</c>.</summary>
    public string ModelSha256 => ModelFile.Sha256;

    /// <summary>The fingerprint of a registration: SHA-256 of <c>name=hash</c> lines for model.zip, metrics.json and mlops.lock.json.</summary>
    public static string FingerprintOf(string modelSha256, string metricsSha256, string lockSha256) =>
        HashData.ContentHash.OfText($"{RegisteredFile.Model}={modelSha256}\n{RegisteredFile.Metrics}={metricsSha256}\n{RegisteredFile.LockFile}={lockSha256}\n");

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteString("model", Model);
        writer.WriteNumber("version", Version);
        writer.WriteString("registered_at", RegistryJson.Time(RegisteredAt));
        writer.WriteString("registered_by", RegisteredBy);
        writer.WriteString("fingerprint", Fingerprint);
        writer.WriteString("task", Task);
        writer.WriteString("label", Label);
        RegistryJson.WriteStringOrNull(writer, "positive_class", PositiveClass);

        RegistryJson.WriteGit(writer, GitCommit, GitDirty);

        RegistryJson.WriteStringOrNull(writer, "image_digest", ImageDigest);

        writer.WriteStartObject("metrics");
        foreach (var (name, value) in MetricValues)
        {
            RegistryJson.WriteNumberOrNull(writer, name, value);
        }

        writer.WriteEndObject();
        Gates.Write(writer, "gates");
        writer.WriteStartObject("files");
        foreach (var file in Files.Values.OrderBy(file => file.Name, StringComparer.Ordinal))
        {
            writer.WriteStartObject(file.Name);
            writer.WriteString("sha256", file.Sha256);
            writer.WriteNumber("size", file.Size);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>
    /// Reads a version.json, and checks it is the record of <paramref name="model"/> version
    /// <paramref name="version"/> with every required file: anything else is BM8004.
    /// </summary>
    public static RegisteredVersion Parse(byte[] json, string model, int version, SourceLocation where)
    {
        var parsed = RegistryJson.Parse(json, where, "version.json", root =>
        {
            if (root.GetProperty("schema").GetInt32() != SchemaVersion)
            {
                throw new FormatException($"schema {root.GetProperty("schema")} is not {SchemaVersion}");
            }

            var git = RegistryJson.ReadGit(root);
            var files = root.GetProperty("files").EnumerateObject()
                .Select(file => new RegisteredFile(file.Name, RegistryJson.RequiredString(file.Value, "sha256"), file.Value.GetProperty("size").GetInt64()))
                .ToDictionary(file => file.Name, StringComparer.Ordinal);
            return new RegisteredVersion
            {
                Model = RegistryJson.RequiredString(root, "model"),
                Version = root.GetProperty("version").GetInt32(),
                RegisteredAt = RegistryJson.ParseTime(RegistryJson.RequiredString(root, "registered_at")),
                RegisteredBy = RegistryJson.RequiredString(root, "registered_by"),
                Fingerprint = RegistryJson.RequiredString(root, "fingerprint"),
                Task = RegistryJson.RequiredString(root, "task"),
                Label = RegistryJson.RequiredString(root, "label"),
                PositiveClass = RegistryJson.OptionalString(root, "positive_class"),
                GitCommit = git.Commit,
                GitDirty = git.Dirty,
                ImageDigest = RegistryJson.OptionalString(root, "image_digest"),
                MetricValues = ReadMetrics(root.GetProperty("metrics")),
                Gates = GateSummary.Parse(root.GetProperty("gates").GetProperty("results")),
                Files = files,
            };
        });

        if (parsed.Model != model || parsed.Version != version)
        {
            throw RegistryJson.Corrupt(where, $"version.json describes {parsed.Model} version {parsed.Version}, not {model} version {version}");
        }

        if (RegisteredFile.Required.FirstOrDefault(name => !parsed.Files.ContainsKey(name)) is { } missing)
        {
            throw RegistryJson.Corrupt(where, $"version.json records no {missing}");
        }

        if (parsed.Files.Values.FirstOrDefault(file => file.Sha256.Length != 64 || !file.Sha256.All(char.IsAsciiHexDigitLower) || file.Size < 0) is { } bad)
        {
            throw RegistryJson.Corrupt(where, $"version.json records '{bad.Sha256}' ({bad.Size} bytes) for {bad.Name}, which is no SHA-256 and size");
        }

        return parsed;
    }

    /// <summary>
    /// A flat metrics object: numbers, and null for an undefined metric. Members that are neither (such
    /// as an <c>intervals</c> object) are not metrics and are left out here; the model card reads them.
    /// </summary>
    internal static List<KeyValuePair<string, double>> ReadMetrics(JsonElement metrics) =>
        metrics.EnumerateObject()
            .Where(metric => metric.Value.ValueKind is JsonValueKind.Number or JsonValueKind.Null)
            .Select(metric => KeyValuePair.Create(metric.Name, metric.Value.ValueKind == JsonValueKind.Number ? metric.Value.GetDouble() : double.NaN))
            .ToList();
}
