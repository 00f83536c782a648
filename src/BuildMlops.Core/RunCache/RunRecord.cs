using System.Text.Json;
using BuildMlops.IO;
using BuildMlops.Pipeline;

namespace BuildMlops.RunCache;

/// <summary>
/// One step's run, keyed by the fingerprint of its dependencies: the outputs it wrote, by hash. The
/// outputs themselves are objects in the content cache. Stored locally under the cache's
/// <c>runs/&lt;step&gt;/</c> and pushed to remotes under the same key.
/// </summary>
public sealed class RunRecord
{
    public required string Step { get; init; }

    public required string Fingerprint { get; init; }

    public required SortedDictionary<string, string> Deps { get; init; }

    public required SortedDictionary<string, OutputRecord> Outs { get; init; }

    /// <summary>SHA-256 of the dependencies as sorted "name=value" lines: equal inputs, equal key, on any machine.</summary>
    public static string FingerprintOf(IReadOnlyDictionary<string, string> deps) =>
        HashData.ContentHash.OfText(string.Concat(deps.OrderBy(dep => dep.Key, StringComparer.Ordinal).Select(dep => $"{dep.Key}={dep.Value}\n")));

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("step", Step);
        writer.WriteString("fingerprint", Fingerprint);
        LockFile.WriteDepsAndOuts(writer, Deps, Outs);
        writer.WriteEndObject();
    });

    /// <summary>Parses a record; null if it is damaged or is not the record for <paramref name="fingerprint"/>.</summary>
    public static RunRecord? Parse(string json, string fingerprint)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var record = new RunRecord
            {
                Step = root.GetProperty("step").GetString() ?? "",
                Fingerprint = root.GetProperty("fingerprint").GetString() ?? "",
                Deps = new SortedDictionary<string, string>(root.GetProperty("deps").EnumerateObject().ToDictionary(dep => dep.Name, dep => dep.Value.GetString() ?? ""), StringComparer.Ordinal),
                Outs = new SortedDictionary<string, OutputRecord>(root.GetProperty("outs").EnumerateObject().ToDictionary(output => output.Name, output => new OutputRecord(output.Value.GetProperty("sha256").GetString() ?? "", output.Value.GetProperty("size").GetInt64())), StringComparer.Ordinal),
            };

            // A record is only believed if it is what its name claims: its deps hash to its key.
            return record.Fingerprint == fingerprint && FingerprintOf(record.Deps) == fingerprint ? record : null;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
