using System.Collections.Concurrent;
using BuildMlops.Data;
using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BuildMlops.Serving;

/// <summary>
/// model.zip loaded once, and a pool of <see cref="ScoringEngine"/>s over it. An engine is what ML.NET's
/// PredictionEngine is without its compile-time classes: the model's row-to-row mapper over one mutable
/// input row whose columns are the model's saved input schema (TableDataView's: one column per feature,
/// plus Label). It runs the very transforms <c>model.Transform</c> runs, so it gives the same floats.
/// </summary>
internal sealed class ScoringModel : IDisposable
{
    private readonly ConcurrentBag<ScoringEngine> _engines = [];
    private readonly int _maxPooled = Math.Max(4, Environment.ProcessorCount * 2);

    private ScoringModel(ModelDescription description, ITransformer model, DataViewSchema inputSchema)
    {
        Description = description;
        Model = model;
        InputSchema = inputSchema;
        Layout = new FeatureLayout(description);
        var mapper = model.GetRowToRowMapper(inputSchema);
        ClassSlots = ResolveClassSlots(description, mapper.OutputSchema);
        _engines.Add(new ScoringEngine(this, mapper));
    }

    public ModelDescription Description { get; }

    public ITransformer Model { get; }

    public DataViewSchema InputSchema { get; }

    public FeatureLayout Layout { get; }

    /// <summary>Multiclass: for each slot of the Score vector, the index of its class in <see cref="ModelDescription.Classes"/>.</summary>
    public int[] ClassSlots { get; }

    public static ScoringModel Load(ModelDescription description)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            using var stream = File.OpenRead(description.ModelPath);
            model = ml.Model.Load(stream, out inputSchema);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException or InvalidDataException or IOException or ArgumentException)
        {
            throw ModelDescription.NotServable(description.ModelPath, $"model.zip cannot be loaded: {exception.Message}", "Rebuild the model project (dotnet build) to write it again");
        }

        CheckInputs(description, inputSchema);
        var scoring = new ScoringModel(description, model, inputSchema);
        scoring.WarmUp();
        return scoring;
    }

    public ScoringEngine Rent() => _engines.TryTake(out var engine) ? engine : new ScoringEngine(this, Model.GetRowToRowMapper(InputSchema));

    public void Return(ScoringEngine engine)
    {
        if (_engines.Count < _maxPooled)
        {
            _engines.Add(engine);
        }
        else
        {
            engine.Dispose();
        }
    }

    public void Dispose()
    {
        while (_engines.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    /// <summary>schema.json's features must be exactly model.zip's inputs, with the same types.</summary>
    private static void CheckInputs(ModelDescription description, DataViewSchema inputSchema)
    {
        var problems = new List<string>();
        foreach (var feature in description.Features)
        {
            var column = inputSchema.GetColumnOrNull(feature.Name);
            var expected = feature.Type == ColumnType.Numeric ? (DataViewType)NumberDataViewType.Single : TextDataViewType.Instance;
            if (column is null)
            {
                problems.Add($"feature '{feature.Name}' is not an input of the model");
            }
            else if (!column.Value.Type.Equals(expected))
            {
                problems.Add($"feature '{feature.Name}' is {feature.Type.ToString().ToLowerInvariant()} in schema.json but {column.Value.Type} in the model");
            }
        }

        foreach (var column in inputSchema.Where(column => !column.IsHidden && column.Name != TableDataView.LabelColumn && !description.Features.Any(feature => feature.Name == column.Name)))
        {
            problems.Add($"the model's input '{column.Name}' is not a feature in schema.json");
        }

        if (problems.Count > 0)
        {
            throw ModelDescription.NotServable(Path.Combine(description.Directory, "schema.json"), "schema.json does not describe model.zip: " + string.Join("; ", problems), "Serve the schema.json and model.zip of one build");
        }
    }

    private static int[] ResolveClassSlots(ModelDescription description, DataViewSchema outputSchema)
    {
        if (description.Task != TaskKind.Multiclass)
        {
            return [];
        }

        // Score slot k is the class whose key is k + 1; the Label column's key values name them (as in ModelEvaluator).
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        outputSchema[TableDataView.LabelColumn].GetKeyValues(ref keyValues);
        var names = keyValues.DenseValues().Select(value => value.ToString()).ToArray();
        var slots = new int[names.Length];
        for (var slot = 0; slot < names.Length; slot++)
        {
            slots[slot] = IndexOf(description.Classes, names[slot]);
            if (slots[slot] < 0)
            {
                throw ModelDescription.NotServable(description.ModelPath, $"the model predicts class '{names[slot]}', which schema.json's label counts do not list", "Serve the schema.json and model.zip of one build");
            }
        }

        return slots;
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One prediction of an all-missing record, so the first request finds every code path compiled.</summary>
    private void WarmUp()
    {
        var batch = new RecordBatch(Layout, 1);
        var engine = Rent();
        try
        {
            var prediction = new Prediction();
            engine.Predict(batch, 0, ref prediction);
        }
        finally
        {
            Return(engine);
        }
    }
}

/// <summary>One model's scoring state for one thread at a time: the input row, the mapped output row and its getters.</summary>
internal sealed class ScoringEngine : IDisposable
{
    private readonly ScoringModel _model;
    private readonly InputRow _input;
    private readonly DataViewRow _output;
    private readonly int[] _numericColumns;
    private readonly int[] _textColumns;
    private readonly ValueGetter<bool>? _predictedPositive;
    private readonly ValueGetter<ReadOnlyMemory<char>>? _predictedClass;
    private readonly ValueGetter<float>? _score;
    private readonly ValueGetter<float>? _probability;
    private readonly ValueGetter<VBuffer<float>>? _scores;
    private readonly TaskKind _task;
    private VBuffer<float> _scoreBuffer;

    public ScoringEngine(ScoringModel model, IRowToRowMapper mapper)
    {
        _model = model;
        _task = model.Description.Task;
        _input = new InputRow(model.InputSchema);
        var layout = model.Layout;
        _numericColumns = [.. layout.Numeric.Select(feature => model.InputSchema[feature.Name].Index)];
        _textColumns = [.. layout.Text.Select(feature => model.InputSchema[feature.Name].Index)];
        var outputs = _task switch
        {
            TaskKind.Binary => new[] { "PredictedLabel", "Score", "Probability" },
            TaskKind.Regression => ["Score"],
            _ => ["PredictedLabel", "Score"],
        };
        var active = outputs.Select(name => mapper.OutputSchema.GetColumnOrNull(name)
            ?? throw ModelDescription.NotServable(model.Description.ModelPath, $"the model has no '{name}' output for a {_task.ToString().ToLowerInvariant()} model", "Serve the schema.json and model.zip of one build")).ToArray();
        _output = mapper.GetRow(_input, active);
        var schema = _output.Schema;
        switch (_task)
        {
            case TaskKind.Binary:
                _predictedPositive = _output.GetGetter<bool>(schema["PredictedLabel"]);
                _score = _output.GetGetter<float>(schema["Score"]);
                _probability = _output.GetGetter<float>(schema["Probability"]);
                break;
            case TaskKind.Regression:
                _score = _output.GetGetter<float>(schema["Score"]);
                break;
            default:
                _predictedClass = _output.GetGetter<ReadOnlyMemory<char>>(schema["PredictedLabel"]);
                _scores = _output.GetGetter<VBuffer<float>>(schema["Score"]);
                break;
        }
    }

    /// <summary>Scores record <paramref name="record"/> of <paramref name="batch"/>.</summary>
    public void Predict(RecordBatch batch, int record, ref Prediction prediction)
    {
        var numbers = batch.NumbersOf(record);
        for (var i = 0; i < _numericColumns.Length; i++)
        {
            _input.Numbers[_numericColumns[i]] = numbers[i];
        }

        var texts = batch.TextsOf(record);
        for (var i = 0; i < _textColumns.Length; i++)
        {
            _input.Texts[_textColumns[i]] = texts[i];
        }

        // A new position: ML.NET's getters cache by row position, as PredictionEngine's input row does.
        _input.Advance();
        switch (_task)
        {
            case TaskKind.Binary:
                var positive = false;
                _predictedPositive!(ref positive);
                _score!(ref prediction.Score);
                _probability!(ref prediction.Probability);
                prediction.ClassIndex = positive ? 1 : 0;
                break;
            case TaskKind.Regression:
                _score!(ref prediction.Score);
                break;
            default:
                var predicted = default(ReadOnlyMemory<char>);
                _predictedClass!(ref predicted);
                _scores!(ref _scoreBuffer);
                var classes = _model.Description.Classes;
                var probabilities = new float[classes.Count];
                var slots = _model.ClassSlots;
                var slot = 0;
                foreach (var value in _scoreBuffer.DenseValues())
                {
                    if (slot < slots.Length)
                    {
                        probabilities[slots[slot]] = value;
                    }

                    slot++;
                }

                prediction.Probabilities = probabilities;
                prediction.ClassIndex = -1;
                for (var i = 0; i < classes.Count; i++)
                {
                    if (predicted.Span.SequenceEqual(classes[i]))
                    {
                        prediction.ClassIndex = i;
                        break;
                    }
                }

                break;
        }
    }

    public void Dispose() => _output.Dispose();
}

/// <summary>What the model said about one record.</summary>
internal struct Prediction
{
    /// <summary>Binary: 1 for the positive class, 0 for the negative; multiclass: index in <see cref="ModelDescription.Classes"/> (-1: none).</summary>
    public int ClassIndex;

    /// <summary>Binary: the calibrated probability of the positive class.</summary>
    public float Probability;

    /// <summary>Binary: the raw score; regression: the predicted value.</summary>
    public float Score;

    /// <summary>Multiclass: one probability per class of <see cref="ModelDescription.Classes"/>.</summary>
    public float[]? Probabilities;
}

/// <summary>
/// A single mutable row over the model's input schema: feature values are set before each prediction;
/// Label, which no output the server asks for needs, reads as its type's default.
/// </summary>
internal sealed class InputRow : DataViewRow
{
    private readonly Delegate[] _getters;
    private long _position = -1;

    public InputRow(DataViewSchema schema)
    {
        Schema = schema;
        Numbers = new float[schema.Count];
        Texts = new ReadOnlyMemory<char>[schema.Count];
        _getters = new Delegate[schema.Count];
        foreach (var column in schema)
        {
            var index = column.Index;
            var type = column.Type;
            _getters[index] = type switch
            {
                _ when type.Equals(NumberDataViewType.Single) => (ValueGetter<float>)((ref float value) => value = Numbers[index]),
                TextDataViewType => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Texts[index]),
                BooleanDataViewType => (ValueGetter<bool>)((ref bool value) => value = false),
                _ => null!,
            };
        }
    }

    public float[] Numbers { get; }

    public ReadOnlyMemory<char>[] Texts { get; }

    public override long Position => _position;

    public override long Batch => 0;

    public override DataViewSchema Schema { get; }

    public void Advance() => _position++;

    public override bool IsColumnActive(DataViewSchema.Column column) => true;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        _getters[column.Index] as ValueGetter<TValue>
        ?? throw new InvalidOperationException($"input column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}");

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);
}
