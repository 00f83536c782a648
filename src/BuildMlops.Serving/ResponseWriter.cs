using System.Text.Encodings.Web;
using System.Text.Json;
using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary>
/// Writes the server's JSON straight to a <see cref="Utf8JsonWriter"/>: no reflection, no intermediate
/// objects. Floats are written as the shortest text that reads back as the same 32-bit float; a value
/// that is not finite (JSON has no NaN) is written as null.
/// </summary>
internal sealed class ResponseWriter(ModelDescription model, FeatureLayout layout)
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        // application/json, never HTML: class names and fields stay readable (é, not \u00E9).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly JsonEncodedText[] _classNames = [.. model.Classes.Select(name => JsonEncodedText.Encode(name, WriterOptions.Encoder))];
    private readonly JsonEncodedText[] _featureNames = [.. layout.Features.Select(feature => JsonEncodedText.Encode(feature.Name, WriterOptions.Encoder))];
    private readonly FeatureLayout.Slot[] _slots = [.. Enumerable.Range(0, layout.Features.Count).Select(feature => layout[feature])];
    private readonly int _positive = IndexOf(model.Classes, model.PositiveClass);
    private readonly int _negative = IndexOf(model.Classes, model.NegativeClass);

    private static readonly JsonEncodedText Label = JsonEncodedText.Encode("label");
    private static readonly JsonEncodedText Probability = JsonEncodedText.Encode("probability");
    private static readonly JsonEncodedText Probabilities = JsonEncodedText.Encode("probabilities");
    private static readonly JsonEncodedText Score = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");

    /// <summary>
    /// One record's prediction: binary <c>{"label", "probability", "score"}</c>, multiclass
    /// <c>{"label", "probabilities": {class: p}}</c>, regression <c>{"value"}</c>.
    /// </summary>
    public void WritePrediction(Utf8JsonWriter json, in Prediction prediction)
    {
        json.WriteStartObject();
        switch (model.Task)
        {
            case TaskKind.Binary:
                json.WriteString(Label, _classNames[prediction.ClassIndex == 1 ? _positive : _negative]);
                json.WritePropertyName(Probability);
                WriteFloat(json, prediction.Probability);
                json.WritePropertyName(Score);
                WriteFloat(json, prediction.Score);
                break;
            case TaskKind.Regression:
                json.WritePropertyName(Value);
                WriteFloat(json, prediction.Score);
                break;
            default:
                if (prediction.ClassIndex >= 0)
                {
                    json.WriteString(Label, _classNames[prediction.ClassIndex]);
                }
                else
                {
                    json.WriteNull(Label);
                }

                json.WriteStartObject(Probabilities);
                var probabilities = prediction.Probabilities ?? [];
                for (var i = 0; i < _classNames.Length && i < probabilities.Length; i++)
                {
                    json.WritePropertyName(_classNames[i]);
                    WriteFloat(json, probabilities[i]);
                }

                json.WriteEndObject();
                break;
        }

        json.WriteEndObject();
    }

    /// <summary>MLflow's form of a prediction: the bare value for regression (as a scikit-learn regressor's), else the object.</summary>
    public void WriteInvocationPrediction(Utf8JsonWriter json, in Prediction prediction)
    {
        if (model.Task == TaskKind.Regression)
        {
            WriteFloat(json, prediction.Score);
        }
        else
        {
            WritePrediction(json, prediction);
        }
    }

    /// <summary>One record as the model received it: every feature in the data's order, null where missing.</summary>
    public void WriteRecord(Utf8JsonWriter json, RecordBatch batch, int record)
    {
        json.WriteStartObject();
        var numbers = batch.NumbersOf(record);
        var texts = batch.TextsOf(record);
        for (var feature = 0; feature < _slots.Length; feature++)
        {
            json.WritePropertyName(_featureNames[feature]);
            var slot = _slots[feature];
            if (slot.Type == ColumnType.Numeric)
            {
                WriteFloat(json, numbers[slot.Index]);
            }
            else if (texts[slot.Index].IsEmpty)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStringValue(texts[slot.Index].Span);
            }
        }

        json.WriteEndObject();
    }

    /// <summary><c>{"errors": [{"record": i, "field": "...", "problem": "..."}]}</c>, with <c>error_count</c> when the list is cut.</summary>
    public static void WriteErrors(Utf8JsonWriter json, Problems problems)
    {
        json.WriteStartObject();
        json.WriteStartArray("errors");
        foreach (var problem in problems.Items)
        {
            WriteError(json, problem.Record, problem.Field, problem.Text);
        }

        json.WriteEndArray();
        if (problems.Count > problems.Items.Count)
        {
            json.WriteNumber("error_count", problems.Count);
        }

        json.WriteEndObject();
    }

    /// <summary>A request-level error (malformed JSON, too large, wrong media type) in the same shape.</summary>
    public static void WriteError(Utf8JsonWriter json, string problem)
    {
        json.WriteStartObject();
        json.WriteStartArray("errors");
        WriteError(json, null, null, problem);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter json, int? record, string? field, string problem)
    {
        json.WriteStartObject();
        if (record is { } index)
        {
            json.WriteNumber("record", index);
        }
        else
        {
            json.WriteNull("record");
        }

        json.WriteString("field", field);
        json.WriteString("problem", problem);
        json.WriteEndObject();
    }

    public static void WriteFloat(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return 0;
    }
}
