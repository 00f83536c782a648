namespace BuildMlops.ModelRegistry;

/// <summary>One file of a registered version: its name in the version's folder, SHA-256 and size in bytes.</summary>
public sealed record RegisteredFile(string Name, string Sha256, long Size)
{
    public const string Model = "model.zip";
    public const string Metrics = "metrics.json";
    public const string LockFile = "mlops.lock.json";
    public const string Schema = "schema.json";
    public const string Predictions = "predictions.csv";
    public const string Gates = "gates.json";
    public const string Card = "card.md";
    public const string Lineage = "lineage.json";

    /// <summary>The files every version has; the others (schema, predictions, gates) are kept when the build wrote them.</summary>
    public static readonly IReadOnlyList<string> Required = [Model, Metrics, LockFile, Card, Lineage];
}
