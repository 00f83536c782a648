using System.Text.Json;
using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary>
/// Turns a parsed request body into a <see cref="RecordBatch"/>, checking every value against the
/// model's features and collecting every problem rather than stopping at the first:
/// <list type="bullet">
/// <item>a feature missing from a record, a field that is not a column of the data, a field given twice;</item>
/// <item>a numeric feature must be a number or null; a text feature a string, a number (taken as its JSON
/// text, e.g. <c>28</c> is <c>"28"</c>) or null;</item>
/// <item>null is a missing value, as an empty cell or an MlopsMissingValues token is in training: the
/// model's missing-value replacement handles a number, and a text is trimmed and encodes as no category.</item>
/// </list>
/// The label and ignored columns of the data are accepted and ignored, so a row of the training data
/// is a valid record.
/// </summary>
internal sealed class RequestReader
{
    /// <summary>The keys of an MLflow scoring request that carry the records.</summary>
    public const string SplitKey = "dataframe_split";
    public const string RecordsKey = "dataframe_records";
    public const string InputsKey = "inputs";
    public const string InstancesKey = "instances";

    private const string Formats = "dataframe_split, dataframe_records, inputs or instances";
    private const int StackFeatures = 256;

    private readonly FeatureLayout _layout;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _missingTokens;

    public RequestReader(FeatureLayout layout, IEnumerable<string> missingValues)
    {
        _layout = layout;
        _missingTokens = new HashSet<string>(missingValues, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary><c>POST /predict</c>: one record (an object) or an array of records.</summary>
    public RecordBatch? ReadPredict(JsonElement root, Problems problems, out bool single)
    {
        single = root.ValueKind == JsonValueKind.Object;
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                var batch = new RecordBatch(_layout, 1);
                ReadRecord(root, 0, batch, problems);
                return problems.Count == 0 ? batch : null;
            case JsonValueKind.Array:
                return ReadRecordArray(root, problems);
            default:
                problems.Add(null, null, $"the body must be a JSON object (one record) or an array of records, not {Describe(root)}");
                return null;
        }
    }

    /// <summary>
    /// <c>POST /invocations</c>, MLflow's scoring protocol: <c>{"dataframe_split": {"columns": [...], "data": [[...]]}}</c>,
    /// <c>{"dataframe_records": [{...}]}</c>, or <c>{"inputs": ...}</c> / <c>{"instances": ...}</c> holding an array
    /// of records or an object of columns (<c>{"column": [values]}</c>).
    /// </summary>
    public RecordBatch? ReadInvocations(JsonElement root, Problems problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(null, null, $"the body must be a JSON object with {Formats}, not {Describe(root)}");
            return null;
        }

        string? format = null;
        var input = default(JsonElement);
        foreach (var property in root.EnumerateObject())
        {
            if (!TryName(property, null, problems, out var name))
            {
                continue;
            }

            switch (name)
            {
                case SplitKey or RecordsKey or InputsKey or InstancesKey:
                    if (format is not null)
                    {
                        problems.Add(null, name, $"give only one of {Formats}");
                    }
                    else
                    {
                        format = name;
                        input = property.Value;
                    }

                    break;
                case "params":
                    if (property.Value.ValueKind is not JsonValueKind.Null && !(property.Value.ValueKind == JsonValueKind.Object && !property.Value.EnumerateObject().Any()))
                    {
                        problems.Add(null, name, "this model takes no params");
                    }

                    break;
                default:
                    problems.Add(null, name, $"unknown key: give {Formats}");
                    break;
            }
        }

        if (format is null)
        {
            if (problems.Count == 0)
            {
                problems.Add(null, null, $"the body has none of {Formats}");
            }

            return null;
        }

        RecordBatch? batch;
        switch (format)
        {
            case SplitKey:
                batch = ReadSplit(input, problems);
                break;
            case RecordsKey when input.ValueKind == JsonValueKind.Array:
                batch = ReadRecordArray(input, problems);
                break;
            case RecordsKey:
                problems.Add(null, format, $"must be an array of records, not {Describe(input)}");
                return null;
            default:
                batch = input.ValueKind switch
                {
                    JsonValueKind.Array => ReadRecordArray(input, problems),
                    JsonValueKind.Object => ReadColumns(input, format, problems),
                    _ => Fail(problems, format, $"must be an array of records or an object of columns, not {Describe(input)}"),
                };
                break;
        }

        return problems.Count == 0 ? batch : null;
    }

    private static RecordBatch? Fail(Problems problems, string field, string problem)
    {
        problems.Add(null, field, problem);
        return null;
    }

    private RecordBatch? ReadRecordArray(JsonElement array, Problems problems)
    {
        var batch = new RecordBatch(_layout, array.GetArrayLength());
        var record = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                ReadRecord(element, record, batch, problems);
            }
            else
            {
                problems.Add(record, null, $"a record must be a JSON object, not {Describe(element)}");
            }

            record++;
        }

        return problems.Count == 0 ? batch : null;
    }

    private void ReadRecord(JsonElement record, int index, RecordBatch batch, Problems problems)
    {
        var count = _layout.Features.Count;
        Span<bool> seen = count <= StackFeatures ? stackalloc bool[count] : new bool[count];
        foreach (var property in record.EnumerateObject())
        {
            if (!TryName(property, index, problems, out var name))
            {
                continue;
            }

            if (_layout.TryGet(name, out var slot))
            {
                if (seen[slot.Feature])
                {
                    problems.Add(index, name, "given more than once");
                    continue;
                }

                seen[slot.Feature] = true;
                ReadValue(property.Value, slot, index, name, batch, problems);
            }
            else if (!_layout.IsOtherColumn(name))
            {
                problems.Add(index, name, UnknownField);
            }
        }

        for (var feature = 0; feature < count; feature++)
        {
            if (!seen[feature])
            {
                problems.Add(index, _layout.Features[feature].Name, "missing: give a value, or null for a missing value");
            }
        }
    }

    private const string UnknownField = "unknown field: not a column of the model's data (GET /model lists its features)";

    /// <summary>MLflow's pandas "split" orientation: column names once, then one array of values per record.</summary>
    private RecordBatch? ReadSplit(JsonElement split, Problems problems)
    {
        if (split.ValueKind != JsonValueKind.Object)
        {
            problems.Add(null, SplitKey, $"must be an object with columns and data, not {Describe(split)}");
            return null;
        }

        JsonElement? columns = null;
        JsonElement? data = null;
        foreach (var property in split.EnumerateObject())
        {
            if (!TryName(property, null, problems, out var name))
            {
                continue;
            }

            switch (name)
            {
                case "columns":
                    columns = property.Value;
                    break;
                case "data":
                    data = property.Value;
                    break;
                case "index":
                    break;
                default:
                    problems.Add(null, $"{SplitKey}.{name}", "unknown key: a dataframe_split has columns, data and (ignored) index");
                    break;
            }
        }

        if (columns is not { ValueKind: JsonValueKind.Array } columnArray)
        {
            problems.Add(null, $"{SplitKey}.columns", columns is null ? "missing: give the column names" : $"must be an array of column names, not {Describe(columns.Value)}");
            return null;
        }

        if (data is not { ValueKind: JsonValueKind.Array } rows)
        {
            problems.Add(null, $"{SplitKey}.data", data is null ? "missing: give one array of values per record" : $"must be an array of records (arrays of values), not {Describe(data.Value)}");
            return null;
        }

        var names = new List<(string? Name, FeatureLayout.Slot? Slot)>();
        foreach (var column in columnArray.EnumerateArray())
        {
            string? name = null;
            if (column.ValueKind == JsonValueKind.String)
            {
                try
                {
                    name = column.GetString();
                }
                catch (InvalidOperationException)
                {
                }
            }

            if (name is null)
            {
                problems.Add(null, $"{SplitKey}.columns", $"column {names.Count} is not a valid name");
            }

            names.Add((name, name is null ? null : ColumnSlot(name, names, problems)));
        }

        ReportMissingColumns(names.Select(name => name.Slot), problems);
        var batch = new RecordBatch(_layout, rows.GetArrayLength());
        var record = 0;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                problems.Add(record, null, $"a record must be an array of values, one per column, not {Describe(row)}");
            }
            else if (row.GetArrayLength() != names.Count)
            {
                problems.Add(record, null, $"the record has {row.GetArrayLength()} values but there are {names.Count} columns");
            }
            else
            {
                var index = 0;
                foreach (var cell in row.EnumerateArray())
                {
                    if (names[index].Slot is { } slot)
                    {
                        ReadValue(cell, slot, record, names[index].Name!, batch, problems);
                    }

                    index++;
                }
            }

            record++;
        }

        return problems.Count == 0 ? batch : null;
    }

    /// <summary>Columnar input: <c>{"column": [one value per record], ...}</c>.</summary>
    private RecordBatch? ReadColumns(JsonElement input, string key, Problems problems)
    {
        var columns = new List<(string Name, FeatureLayout.Slot? Slot, JsonElement Values)>();
        var seen = new List<(string? Name, FeatureLayout.Slot? Slot)>();
        int? length = null;
        foreach (var property in input.EnumerateObject())
        {
            if (!TryName(property, null, problems, out var name))
            {
                continue;
            }

            var slot = ColumnSlot(name, seen, problems);
            seen.Add((name, slot));
            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                problems.Add(null, name, $"{key} as an object of columns needs an array of values per column, not {Describe(property.Value)}");
                continue;
            }

            var count = property.Value.GetArrayLength();
            if (length is null)
            {
                length = count;
            }
            else if (count != length)
            {
                problems.Add(null, name, $"the column has {count} values but the first column has {length}");
                continue;
            }

            columns.Add((name, slot, property.Value));
        }

        ReportMissingColumns(seen.Select(column => column.Slot), problems);
        var batch = new RecordBatch(_layout, length ?? 0);
        foreach (var (name, slot, values) in columns)
        {
            if (slot is not { } known)
            {
                continue;
            }

            var record = 0;
            foreach (var value in values.EnumerateArray())
            {
                ReadValue(value, known, record++, name, batch, problems);
            }
        }

        return problems.Count == 0 ? batch : null;
    }

    /// <summary>A column of a columnar payload: its feature, or null for a non-feature column of the data; problems for the rest.</summary>
    private FeatureLayout.Slot? ColumnSlot(string name, List<(string? Name, FeatureLayout.Slot? Slot)> earlier, Problems problems)
    {
        if (earlier.Any(column => column.Name == name))
        {
            problems.Add(null, name, "column given more than once");
            return null;
        }

        if (_layout.TryGet(name, out var slot))
        {
            return slot;
        }

        if (!_layout.IsOtherColumn(name))
        {
            problems.Add(null, name, "unknown column: not a column of the model's data (GET /model lists its features)");
        }

        return null;
    }

    private void ReportMissingColumns(IEnumerable<FeatureLayout.Slot?> slots, Problems problems)
    {
        var present = slots.OfType<FeatureLayout.Slot>().Select(slot => slot.Feature).ToHashSet();
        for (var feature = 0; feature < _layout.Features.Count; feature++)
        {
            if (!present.Contains(feature))
            {
                problems.Add(null, _layout.Features[feature].Name, "missing column: give every feature a column (null cells for missing values)");
            }
        }
    }

    private void ReadValue(JsonElement value, FeatureLayout.Slot slot, int record, string field, RecordBatch batch, Problems problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                // Missing: the batch already holds NaN / empty text.
                return;
            case JsonValueKind.Number when slot.Type == ColumnType.Numeric:
                // As training reads a cell: the decimal as a double, then to float.
                if (value.TryGetDouble(out var number) && double.IsFinite(number) && float.IsFinite((float)number))
                {
                    batch.SetNumber(record, slot.Index, (float)number);
                }
                else
                {
                    problems.Add(record, field, "the number is out of range for a 32-bit float");
                }

                return;
            case JsonValueKind.String when slot.Type == ColumnType.Text:
                string? text;
                try
                {
                    text = value.GetString();
                }
                catch (InvalidOperationException)
                {
                    problems.Add(record, field, "the string is not valid text (a lone surrogate or bad UTF-8)");
                    return;
                }

                batch.SetText(record, slot.Index, NormalizeText(text));
                return;
            case JsonValueKind.Number:
                // A number for a text feature: its JSON text, as a CSV cell would hold it (28 is "28").
                batch.SetText(record, slot.Index, value.GetRawText().AsMemory());
                return;
            default:
                problems.Add(record, field, slot.Type == ColumnType.Numeric
                    ? $"expected a number or null, not {Describe(value)}"
                    : $"expected a string or null, not {Describe(value)}");
                return;
        }
    }

    /// <summary>As training reads a text cell: trimmed; empty or a missing-value token is missing.</summary>
    private ReadOnlyMemory<char> NormalizeText(string? text)
    {
        var memory = text.AsMemory().Trim();
        return memory.IsEmpty || _missingTokens.Contains(memory.Span) ? ReadOnlyMemory<char>.Empty : memory;
    }

    private static bool TryName(JsonProperty property, int? record, Problems problems, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            problems.Add(record, null, "a field name is not valid text (a lone surrogate or bad UTF-8)");
            name = "";
            return false;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>Every problem of a bad request, listed up to <see cref="Limit"/> (the count goes on).</summary>
internal sealed class Problems
{
    public const int Limit = 1000;

    private readonly List<Problem> _items = [];

    public int Count { get; private set; }

    public IReadOnlyList<Problem> Items => _items;

    public void Add(int? record, string? field, string problem)
    {
        Count++;
        if (_items.Count < Limit)
        {
            _items.Add(new Problem(record, field, problem));
        }
    }
}

/// <summary>One problem: the record it is in (null: the whole request), the field or column, and what is wrong.</summary>
internal readonly record struct Problem(int? Record, string? Field, string Text);
