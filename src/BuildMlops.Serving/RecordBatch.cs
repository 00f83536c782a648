using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary>The model's features split by type: each feature's slot in a record's numbers or texts.</summary>
internal sealed class FeatureLayout
{
    private readonly Dictionary<string, Slot> _byName = new(StringComparer.Ordinal);
    private readonly HashSet<string> _others;

    public FeatureLayout(ModelDescription description)
    {
        Features = description.Features;
        _others = new HashSet<string>(description.OtherColumns, StringComparer.Ordinal);
        var numeric = new List<InputFeature>();
        var text = new List<InputFeature>();
        for (var i = 0; i < description.Features.Count; i++)
        {
            var feature = description.Features[i];
            var list = feature.Type == ColumnType.Numeric ? numeric : text;
            _byName[feature.Name] = new Slot(i, feature.Type, list.Count);
            list.Add(feature);
        }

        Numeric = numeric;
        Text = text;
    }

    public IReadOnlyList<InputFeature> Features { get; }

    public IReadOnlyList<InputFeature> Numeric { get; }

    public IReadOnlyList<InputFeature> Text { get; }

    public bool TryGet(string name, out Slot slot) => _byName.TryGetValue(name, out slot);

    public Slot this[int feature] => _byName[Features[feature].Name];

    /// <summary>A column of the data that is not a feature (the label, an ignored column).</summary>
    public bool IsOtherColumn(string name) => _others.Contains(name);

    /// <summary>A feature: its index among all features, its type, and its index among the features of its type.</summary>
    public readonly record struct Slot(int Feature, ColumnType Type, int Index);
}

/// <summary>
/// A request's records as the model takes them: per record, one float per numeric feature (NaN: missing)
/// and one text per text feature (empty: missing), in <see cref="FeatureLayout"/> order.
/// </summary>
internal sealed class RecordBatch
{
    private readonly int _numericWidth;
    private readonly int _textWidth;

    public RecordBatch(FeatureLayout layout, int count)
    {
        Layout = layout;
        Count = count;
        _numericWidth = layout.Numeric.Count;
        _textWidth = layout.Text.Count;
        Numbers = new float[count * _numericWidth];
        Array.Fill(Numbers, float.NaN);
        Texts = new ReadOnlyMemory<char>[count * _textWidth];
    }

    public FeatureLayout Layout { get; }

    public int Count { get; }

    public float[] Numbers { get; }

    public ReadOnlyMemory<char>[] Texts { get; }

    public Span<float> NumbersOf(int record) => Numbers.AsSpan(record * _numericWidth, _numericWidth);

    public Span<ReadOnlyMemory<char>> TextsOf(int record) => Texts.AsSpan(record * _textWidth, _textWidth);

    public void SetNumber(int record, int index, float value) => Numbers[(record * _numericWidth) + index] = value;

    public void SetText(int record, int index, ReadOnlyMemory<char> value) => Texts[(record * _textWidth) + index] = value;
}
