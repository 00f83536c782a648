namespace BuildMlops.Serving;

/// <summary>
/// The BMnnnn codes the model server reports. They belong in <see cref="Diagnostics.ErrorCodes"/> and
/// docs/errors.md (6xxx: serving); they live here until that move.
/// </summary>
public static class ServingErrorCodes
{
    /// <summary>The model directory cannot be served: a file is missing or unreadable, or schema.json does not describe model.zip.</summary>
    public const string ModelNotServable = "BM6001";

    /// <summary>A serving option (command line or environment) has a bad value.</summary>
    public const string BadServingOption = "BM6002";
}
