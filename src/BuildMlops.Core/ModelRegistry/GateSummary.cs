using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// The gate results a version was registered with, from the build's <c>gates.json</c>: whether each
/// <c>MlopsGate</c> passed. Promotion refuses a version whose gates did not all pass, unless forced.
/// </summary>
public sealed record GateSummary(IReadOnlyList<GateOutcome> Results)
{
    /// <summary>True when every gate passed, or the project has none.</summary>
    public bool Passed => Results.All(result => result.Passed);

    /// <summary>The failed gates, e.g. <c>auc 0.8427 (min 0.99)</c>, for messages.</summary>
    public IEnumerable<string> DescribeFailures() =>
        Results.Where(result => !result.Passed).Select(result => $"{result.Metric} {Format(result.Value)} ({result.DescribeBounds()})");

    /// <summary>Reads gates.json: an array of <c>{ metric, value, min?, max?, passed }</c>.</summary>
    public static GateSummary Parse(JsonElement array) =>
        new(array.EnumerateArray().Select(gate => new GateOutcome(
            RegistryJson.RequiredString(gate, "metric"),
            RegistryJson.OptionalDouble(gate, "value"),
            RegistryJson.OptionalDouble(gate, "min"),
            RegistryJson.OptionalDouble(gate, "max"),
            gate.GetProperty("passed").GetBoolean())).ToList());

    /// <summary>Reads a build's gates.json file; BM8006 when it cannot be read, since it is then no input to register.</summary>
    public static GateSummary Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MlopsException(ErrorCodes.NotRegistrable, new SourceLocation(path), $"gates.json cannot be read: {exception.Message}", "Build the project again (dotnet build) so the gate step rewrites it");
        }
    }

    internal void Write(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        writer.WriteBoolean("passed", Passed);
        writer.WriteStartArray("results");
        foreach (var result in Results)
        {
            writer.WriteStartObject();
            writer.WriteString("metric", result.Metric);
            RegistryJson.WriteNumberOrNull(writer, "value", result.Value);
            if (result.Min is { } min)
            {
                writer.WriteNumber("min", min);
            }

            if (result.Max is { } max)
            {
                writer.WriteNumber("max", max);
            }

            writer.WriteBoolean("passed", result.Passed);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string Format(double? value) =>
        value is { } number && double.IsFinite(number) ? number.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "undefined";
}

/// <summary>One gate's outcome: the metric, its value (null when undefined), its bounds and whether it passed.</summary>
public sealed record GateOutcome(string Metric, double? Value, double? Min, double? Max, bool Passed)
{
    /// <summary><c>min 0.83</c>, <c>max 6.5</c> or <c>min 0.5, max 0.9</c>.</summary>
    public string DescribeBounds() =>
        string.Join(", ", new[] { Min is { } min ? $"min {min.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : null, Max is { } max ? $"max {max.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : null }.OfType<string>());
}
