namespace BuildMlops.Spec;

/// <summary>How a column's cells are read. Inferred from the data unless an <c>MlopsColumn</c> item says.</summary>
public enum ColumnType
{
    /// <summary>Numbers (invariant culture); missing cells become NaN.</summary>
    Numeric,

    /// <summary>Categories, one-hot encoded as features.</summary>
    Text,
}
