namespace BuildMlops.Spec;

/// <summary>What the model predicts (<c>MlopsTask</c>).</summary>
public enum TaskKind
{
    /// <summary>Two classes; the label is mapped to true for <c>MlopsPositiveClass</c>.</summary>
    Binary,

    /// <summary>Three or more classes.</summary>
    Multiclass,

    /// <summary>A number.</summary>
    Regression,
}
