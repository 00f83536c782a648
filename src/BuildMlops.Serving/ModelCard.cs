using System.Text.Json;
using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary><c>GET /model</c>: what is served, how it was trained and what it takes, written once at start.</summary>
internal static class ModelCard
{
    public static byte[] Write(ModelDescription model, ServingOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ResponseWriter.WriterOptions with { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", model.Name);
            json.WriteString("version", model.Version);
            json.WriteString("task", model.Task.ToString().ToLowerInvariant());
            json.WriteString("label", model.Label);
            if (model.Task == TaskKind.Binary)
            {
                json.WriteString("positive_class", model.PositiveClass);
            }

            if (model.Task != TaskKind.Regression)
            {
                json.WriteStartArray("classes");
                foreach (var name in model.Classes)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
            }

            json.WriteStartObject("model");
            json.WriteString("file", "model.zip");
            json.WriteString("sha256", model.Sha256);
            json.WriteNumber("size", model.Size);
            json.WriteEndObject();

            json.WriteStartArray("input");
            foreach (var feature in model.Features)
            {
                json.WriteStartObject();
                json.WriteString("name", feature.Name);
                json.WriteString("type", feature.Type == ColumnType.Numeric ? "numeric" : "text");
                json.WriteBoolean("nullable", true);
                json.WriteNumber("missing_in_training", feature.Missing);
                WriteOptional(json, "min", feature.Min);
                WriteOptional(json, "max", feature.Max);
                WriteOptional(json, "mean", feature.Mean);
                if (feature.Categories is { } categories)
                {
                    json.WriteNumber("categories", categories);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartObject("metrics");
            foreach (var (name, value) in model.Metrics)
            {
                if (value is { } number && double.IsFinite(number))
                {
                    json.WriteNumber(name, number);
                }
                else
                {
                    json.WriteNull(name);
                }
            }

            json.WriteEndObject();

            if (model.Lock is { } locked)
            {
                json.WriteStartObject("lock");
                json.WriteString("project", locked.Project);
                json.WriteString("model_sha256", locked.ModelSha256);
                json.WriteBoolean("matches_model", locked.MatchesModel);
                WriteMap(json, "data", locked.Data);
                WriteMap(json, "params", locked.Params);
                WriteMap(json, "hyperparameters", locked.Hyperparameters);
                WriteMap(json, "columns", locked.Columns);
                WriteMap(json, "versions", locked.Versions);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("lock");
            }

            json.WriteStartObject("limits");
            json.WriteNumber("max_body_bytes", options.MaxBodyBytes);
            json.WriteNumber("max_listed_errors", Problems.Limit);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string> values)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
