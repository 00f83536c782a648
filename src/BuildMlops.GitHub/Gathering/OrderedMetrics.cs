using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub.Gathering;

/// <summary>
/// metrics.json's metrics in the file's order (the report and the release notes show them as the evaluate step wrote
/// them), null for a metric undefined on the test split, plus its <c>intervals</c> object when it has one.
/// </summary>
public sealed record OrderedMetrics(IReadOnlyList<KeyValuePair<string, double?>> Values, IReadOnlyDictionary<string, (double Lower, double Upper)> Intervals)
{
    /// <summary>Reads metrics.json; BM3003 when it is missing or not a JSON object.</summary>
    public static OrderedMetrics Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var values = new List<KeyValuePair<string, double?>>();
            var intervals = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Number:
                        values.Add(KeyValuePair.Create(property.Name, (double?)property.Value.GetDouble()));
                        break;
                    case JsonValueKind.Null:
                        values.Add(KeyValuePair.Create(property.Name, (double?)null));
                        break;
                    case JsonValueKind.Object when property.Name == "intervals":
                        foreach (var interval in property.Value.EnumerateObject())
                        {
                            if (interval.Value.ValueKind == JsonValueKind.Object
                                && interval.Value.TryGetProperty("lower", out var lower) && lower.ValueKind == JsonValueKind.Number
                                && interval.Value.TryGetProperty("upper", out var upper) && upper.ValueKind == JsonValueKind.Number)
                            {
                                intervals[interval.Name] = (lower.GetDouble(), upper.GetDouble());
                            }
                        }

                        break;
                }
            }

            return new OrderedMetrics(values, intervals);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new MlopsException(ErrorCodes.BadMetricsFile, new SourceLocation(path), $"metrics.json cannot be read: {exception.Message}", "Build the project first (dotnet build), which evaluates the model and writes it");
        }
    }
}
