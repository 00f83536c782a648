using BuildMlops.Spec;

namespace BuildMlops.Data;

/// <summary>
/// The data as the model sees it: typed feature columns (numbers with NaN for missing, or text with
/// empty for missing) and the label, with each row's source line kept for predictions.csv.
/// </summary>
public sealed class PreparedData
{
    public required TaskKind Task { get; init; }
    public required IReadOnlyList<FeatureColumn> Features { get; init; }

    /// <summary>Binary: true for the positive class.</summary>
    public bool[] BinaryLabels { get; init; } = [];

    /// <summary>Regression: the target.</summary>
    public float[] NumericLabels { get; init; } = [];

    /// <summary>Multiclass: the class name.</summary>
    public string[] ClassLabels { get; init; } = [];

    /// <summary>Binary: the label values read as true and false.</summary>
    public string PositiveClass { get; init; } = "";

    public string NegativeClass { get; init; } = "";

    public required string[] Sources { get; init; }
    public required int[] Lines { get; init; }

    public int Count => Lines.Length;

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public PreparedData Select(IReadOnlyList<int> indices)
    {
        T[] Pick<T>(T[] values) => values.Length == 0 ? values : [.. indices.Select(index => values[index])];
        return new PreparedData
        {
            Task = Task,
            Features = [.. Features.Select(column => column with { Numbers = Pick(column.Numbers), Texts = Pick(column.Texts) })],
            BinaryLabels = Pick(BinaryLabels),
            NumericLabels = Pick(NumericLabels),
            ClassLabels = Pick(ClassLabels),
            PositiveClass = PositiveClass,
            NegativeClass = NegativeClass,
            Sources = Pick(Sources),
            Lines = Pick(Lines),
        };
    }
}

/// <summary>A feature column: numbers or text, never both.</summary>
public sealed record FeatureColumn(string Name, ColumnType Type)
{
    public float[] Numbers { get; init; } = [];
    public string[] Texts { get; init; } = [];
}
