using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// Where an alias points: <c>aliases/&lt;alias&gt;.json</c>, replaced only by compare-and-swap. It names the
/// audit event that put it there, so the chain of moves that really happened can be followed back
/// through the log (each event names the one before it), and rollback knows where the alias came from.
/// </summary>
public sealed record AliasState
{
    public const int SchemaVersion = 1;

    public required string Model { get; init; }

    public required string Alias { get; init; }

    public required int Version { get; init; }

    /// <summary>The sequence number of the audit event that moved the alias here.</summary>
    public required long Event { get; init; }

    public required DateTimeOffset MovedAt { get; init; }

    public required string MovedBy { get; init; }

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteString("model", Model);
        writer.WriteString("alias", Alias);
        writer.WriteNumber("version", Version);
        writer.WriteNumber("event", Event);
        writer.WriteString("moved_at", RegistryJson.Time(MovedAt));
        writer.WriteString("moved_by", MovedBy);
        writer.WriteEndObject();
    });

    public static AliasState Parse(byte[] json, string model, string alias, SourceLocation where)
    {
        var state = RegistryJson.Parse(json, where, $"alias '{alias}'", root => new AliasState
        {
            Model = RegistryJson.RequiredString(root, "model"),
            Alias = RegistryJson.RequiredString(root, "alias"),
            Version = root.GetProperty("version").GetInt32(),
            Event = root.GetProperty("event").GetInt64(),
            MovedAt = RegistryJson.ParseTime(RegistryJson.RequiredString(root, "moved_at")),
            MovedBy = RegistryJson.RequiredString(root, "moved_by"),
        });
        return state.Model == model && state.Alias == alias && state.Version > 0
            ? state
            : throw RegistryJson.Corrupt(where, $"the alias file describes {state.Model} alias '{state.Alias}' at version {state.Version}, not {model} alias '{alias}'");
    }
}
