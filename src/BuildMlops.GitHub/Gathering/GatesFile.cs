using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.GitHub.Gathering;

/// <summary>
/// One entry of a build's <c>gates.json</c>, as the gate step writes it: the fixed bounds and, for a gate against a
/// registry alias, the comparison's fields (<c>against</c>, <c>max_drop</c>, <c>verdict</c>, <c>baseline_version</c>,
/// <c>baseline</c>, <c>delta</c>, <c>delta_low</c>, <c>delta_high</c>). Read here rather than through
/// <c>GateSummary</c>, which keeps only the fixed bounds a registration needs.
/// </summary>
public sealed record GateEntry(string Metric, double? Value, double? Min, double? Max, bool Passed)
{
    /// <summary>The registry alias the gate compares with; null for a gate with fixed bounds only.</summary>
    public string? Against { get; init; }

    public double? MaxDrop { get; init; }

    /// <summary><c>pass</c>, <c>fail</c>, <c>no_baseline</c> or <c>not_comparable</c> for a gate against an alias.</summary>
    public string? Verdict { get; init; }

    public string? BaselineVersion { get; init; }

    /// <summary>The baseline model's metric, scored on this build's test split.</summary>
    public double? Baseline { get; init; }

    public double? Delta { get; init; }

    public double? DeltaLow { get; init; }

    public double? DeltaHigh { get; init; }
}

/// <summary>Reads <c>bin/mlops/gates.json</c>.</summary>
public static class GatesFile
{
    /// <summary>The entries in the file's order; BM3003 when the file is not the gate step's JSON.</summary>
    public static IReadOnlyList<GateEntry> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.EnumerateArray().Select(gate => new GateEntry(
                gate.GetProperty("metric").GetString() ?? "",
                Number(gate, "value"),
                Number(gate, "min"),
                Number(gate, "max"),
                gate.GetProperty("passed").GetBoolean())
            {
                Against = Text(gate, "against"),
                MaxDrop = Number(gate, "max_drop"),
                Verdict = Text(gate, "verdict"),
                BaselineVersion = Text(gate, "baseline_version"),
                Baseline = Number(gate, "baseline"),
                Delta = Number(gate, "delta"),
                DeltaLow = Number(gate, "delta_low"),
                DeltaHigh = Number(gate, "delta_high"),
            }).ToList();
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new MlopsException(ErrorCodes.BadMetricsFile, new SourceLocation(path), $"gates.json cannot be read: {exception.Message}", "Build the project again (dotnet build) so the gate step rewrites it");
        }
    }

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
