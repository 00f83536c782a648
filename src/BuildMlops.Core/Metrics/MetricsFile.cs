using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.Metrics;

/// <summary>
/// <c>metrics.json</c>: one flat JSON object of lower-case metric names to numbers, in the order
/// <see cref="MetricNames"/> lists them, so that diffs and CI reports stay readable.
/// </summary>
public static class MetricsFile
{
    public static string ToJson(IEnumerable<KeyValuePair<string, double>> metrics) => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        foreach (var (name, value) in metrics)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumber(name, value);
            }
            else
            {
                // JSON has no NaN; a metric that is undefined on this split (e.g. r2 of a constant label) is null.
                writer.WriteNull(name);
            }
        }

        writer.WriteEndObject();
    });

    public static IReadOnlyDictionary<string, double> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path)); // ReadAllText drops a byte order mark an editor may add
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                metrics[property.Name] = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble() : double.NaN;
            }

            return metrics;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or IOException)
        {
            throw new MlopsException(ErrorCodes.BadMetricsFile, new SourceLocation(path), $"metrics cannot be read: {exception.Message}", "Rebuild with -t:MlopsEvaluate");
        }
    }
}
