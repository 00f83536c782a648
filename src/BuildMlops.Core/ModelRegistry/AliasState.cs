namespace BuildMlops.ModelRegistry;

/// <summary>
/// Where one alias points, as its model's <see cref="AliasTable"/> records it. It names the audit event
/// that put it there, so the chain of moves that really happened can be followed back through the log
/// (each event names the one before it), and rollback knows where the alias came from.
/// </summary>
public sealed record AliasState
{
    public required string Model { get; init; }

    public required string Alias { get; init; }

    public required int Version { get; init; }

    /// <summary>The sequence number of the audit event that moved the alias here.</summary>
    public required long Event { get; init; }

    public required DateTimeOffset MovedAt { get; init; }

    public required string MovedBy { get; init; }
}
