using System.Buffers;
using System.Text;
using System.Text.Json;
using BuildMlops.Data;
using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BuildMlops.Serving.Tests;

/// <summary>
/// The oracle: model.zip loaded in this process and applied to the test split exactly as the evaluate
/// step does (ModelEvaluator: <c>model.Transform(new TableDataView(test))</c>), and the requests that
/// carry the same rows to the server, written from the CSV records as a client would send them.
/// </summary>
internal static class InProcess
{
    public sealed record Expected(string? Label, float Probability, float Score, IReadOnlyDictionary<string, float>? Probabilities);

    public static IReadOnlyList<Expected> Predict(TrainedModel model, PreparedData test)
    {
        var ml = new MLContext(seed: 0);
        using var stream = File.OpenRead(Path.Combine(model.ModelDirectory, "model.zip"));
        var transformer = ml.Model.Load(stream, out _);
        var scored = transformer.Transform(new TableDataView(test));
        switch (model.Spec.Task)
        {
            case TaskKind.Binary:
                var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
                var probabilities = scored.GetColumn<float>("Probability").ToArray();
                var scores = scored.GetColumn<float>("Score").ToArray();
                return [.. predicted.Select((positive, i) => new Expected(positive ? test.PositiveClass : test.NegativeClass, probabilities[i], scores[i], null))];
            case TaskKind.Regression:
                return [.. scored.GetColumn<float>("Score").Select(score => new Expected(null, 0, score, null))];
            default:
                var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
                scored.Schema[TableDataView.LabelColumn].GetKeyValues(ref keyValues);
                var classes = keyValues.DenseValues().Select(value => value.ToString()).ToArray();
                var labels = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(value => value.ToString()).ToArray();
                var vectors = scored.GetColumn<VBuffer<float>>("Score").Select(vector => vector.DenseValues().ToArray()).ToArray();
                return [.. labels.Select((label, i) => new Expected(label, 0, 0, classes.Select((name, slot) => (name, p: vectors[i][slot])).ToDictionary(pair => pair.name, pair => pair.p)))];
        }
    }

    /// <summary>
    /// A CSV record as a JSON record: numeric features as the cell's own digits (a JSON number), text as
    /// a string, a missing cell as null; the label column too, which the server accepts and ignores.
    /// </summary>
    public static void WriteRecord(Utf8JsonWriter json, TrainedModel model, (string Header, string Cell)[] record, IReadOnlySet<string> numeric)
    {
        json.WriteStartObject();
        foreach (var (header, cell) in record)
        {
            json.WritePropertyName(header);
            WriteCell(json, model, cell, numeric.Contains(header));
        }

        json.WriteEndObject();
    }

    public static void WriteCell(Utf8JsonWriter json, TrainedModel model, string cell, bool numeric)
    {
        var trimmed = cell.Trim();
        if (trimmed.Length == 0 || model.Spec.MissingValues.Contains(trimmed))
        {
            json.WriteNullValue();
        }
        else if (numeric)
        {
            json.WriteRawValue(trimmed);
        }
        else
        {
            json.WriteStringValue(cell);
        }
    }

    public static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static IReadOnlySet<string> NumericColumns(TrainedModel model, PreparedData data) =>
        data.Features.Where(column => column.Type == ColumnType.Numeric).Select(column => column.Name).ToHashSet(StringComparer.Ordinal);
}
