using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.IO;
using BuildMlops.Metrics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Output;

/// <summary>
/// The --json output of every command: one object with the project, each step's status and reasons,
/// the metrics and gate results when they exist, and the errors. Scripts read this, never the prose.
/// </summary>
internal sealed class JsonReport
{
    public string Command { get; init; } = "";
    public string? Project { get; set; }
    public List<(StepName Step, string Status, IReadOnlyList<string> Reasons)> Steps { get; } = [];
    public List<MlopsException> Errors { get; } = [];
    public ModelSpec? Spec { get; set; }

    /// <summary>A damaged metrics.json is reported by the step that reads it, not by the report.</summary>
    private static bool ReadableMetrics(string path)
    {
        try
        {
            MetricsFile.Read(path);
            return true;
        }
        catch (MlopsException)
        {
            return false;
        }
    }

    /// <summary>JSON has no NaN: an undefined metric is null.</summary>
    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("command", Command);
        writer.WriteString("project", Project);
        writer.WriteBoolean("succeeded", Errors.Count == 0);
        writer.WriteStartArray("steps");
        foreach (var (step, status, reasons) in Steps.Where(entry => entry.Step != StepName.HashData))
        {
            writer.WriteStartObject();
            writer.WriteString("step", step.Key());
            writer.WriteString("target", step.Target());
            writer.WriteString("status", status);
            writer.WriteStartArray("reasons");
            foreach (var reason in reasons)
            {
                writer.WriteStringValue(reason);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (Spec is not null && File.Exists(Spec.PathOf(StepOutputs.Metrics)) && ReadableMetrics(Spec.PathOf(StepOutputs.Metrics)))
        {
            writer.WriteStartObject("metrics");
            foreach (var (name, value) in MetricsFile.Read(Spec.PathOf(StepOutputs.Metrics)))
            {
                WriteNumberOrNull(writer, name, value);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("gates");
            foreach (var result in GateEvaluator.Evaluate(Spec, MetricsFile.Read(Spec.PathOf(StepOutputs.Metrics))))
            {
                writer.WriteStartObject();
                writer.WriteString("metric", result.Gate.Metric);
                WriteNumberOrNull(writer, "value", result.Value);
                writer.WriteString("bounds", result.Gate.Describe());
                writer.WriteBoolean("passed", result.Passed);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteStartArray("errors");
        foreach (var error in Errors)
        {
            writer.WriteStartObject();
            writer.WriteString("code", error.Code);
            writer.WriteString("file", error.Location.File);
            writer.WriteNumber("line", error.Location.Line);
            writer.WriteNumber("column", error.Location.Column);
            writer.WriteString("message", error.Message);
            if (error.Help is not null)
            {
                writer.WriteString("help", error.Help);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });
}
