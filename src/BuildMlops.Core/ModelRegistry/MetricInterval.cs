using System.Text.Json;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// An uncertainty interval of a metric, when metrics.json carries one. The registry does not compute
/// intervals; it shows them when the evaluate or gate work puts them in metrics.json, as an object
/// beside the flat metrics:
/// <code>"intervals": { "auc": { "lower": 0.82, "upper": 0.86, "level": 0.95 } }</code>
/// (<c>level</c> optional). Without that member the model card has no interval column.
/// </summary>
public sealed record MetricInterval(double Lower, double Upper, double? Level)
{
    /// <summary>The intervals in a metrics.json document, by metric; empty when it has none or they are malformed.</summary>
    public static IReadOnlyDictionary<string, MetricInterval> Read(JsonElement metrics)
    {
        var intervals = new Dictionary<string, MetricInterval>(StringComparer.Ordinal);
        if (metrics.ValueKind != JsonValueKind.Object || !metrics.TryGetProperty("intervals", out var all) || all.ValueKind != JsonValueKind.Object)
        {
            return intervals;
        }

        foreach (var metric in all.EnumerateObject())
        {
            if (metric.Value.ValueKind == JsonValueKind.Object
                && RegistryJson.OptionalDouble(metric.Value, "lower") is { } lower
                && RegistryJson.OptionalDouble(metric.Value, "upper") is { } upper)
            {
                intervals[metric.Name] = new MetricInterval(lower, upper, RegistryJson.OptionalDouble(metric.Value, "level"));
            }
        }

        return intervals;
    }
}
