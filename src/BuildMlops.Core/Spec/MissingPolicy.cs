namespace BuildMlops.Spec;

/// <summary>
/// What happens to a missing feature value (<c>MlopsMissingPolicy</c>). Missing text is always its
/// own "missing" state of the one-hot encoding; the policy decides numbers and whether rows may have holes.
/// </summary>
public enum MissingPolicy
{
    /// <summary>Replace a missing number with the column mean of the training split (part of the model).</summary>
    Mean,

    /// <summary>Replace a missing number with the column minimum of the training split.</summary>
    Minimum,

    /// <summary>Replace a missing number with the column maximum of the training split.</summary>
    Maximum,

    /// <summary>Replace a missing number with 0.</summary>
    Zero,

    /// <summary>Drop every row with a missing feature before the split.</summary>
    DropRows,

    /// <summary>Fail validation (BM1008) if any feature value is missing.</summary>
    Error,
}
