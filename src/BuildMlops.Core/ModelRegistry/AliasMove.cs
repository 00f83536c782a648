namespace BuildMlops.ModelRegistry;

/// <summary>
/// The outcome of a promotion or rollback: the alias, where it was and where it is now, and the audit
/// event that records the move (null when the alias already pointed at the version, and nothing moved).
/// </summary>
public sealed record AliasMove(string Model, string Alias, int? From, int To, AuditEvent? Event)
{
    /// <summary>False when the alias already pointed at the version: no event was written.</summary>
    public bool Moved => Event is not null;
}
