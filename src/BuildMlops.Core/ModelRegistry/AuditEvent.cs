using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// One alias move in a model's audit log, <c>audit/&lt;sequence&gt;.json</c>: who moved which alias from which
/// version to which, when and why. Events are created once, under the next free sequence number, and
/// never changed: S3 has no append, so the log is a folder of numbered objects.
/// The event is written before the alias is swapped. If the swap then loses a race (or the process dies
/// in between), the event stays in the log but is not <see cref="Applied"/>: only events on the chain
/// that leads to an alias's current state (through <see cref="PreviousEvent"/>) took effect.
/// </summary>
public sealed record AuditEvent
{
    public const int SchemaVersion = 1;
    public const string Promote = "promote";
    public const string Rollback = "rollback";

    public required long Sequence { get; init; }

    /// <summary>A random id, so that two writers never write the same bytes (a lost race is then always visible).</summary>
    public required string Id { get; init; }

    public required string Model { get; init; }

    public required string Alias { get; init; }

    /// <summary><see cref="Promote"/> or <see cref="Rollback"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The version the alias pointed at before; null when the move created it.</summary>
    public int? From { get; init; }

    public required int To { get; init; }

    /// <summary>The event that had put the alias where this move found it; null when the move created it.</summary>
    public long? PreviousEvent { get; init; }

    /// <summary><c>Name &lt;email&gt;</c> from git, else the user name.</summary>
    public required string Who { get; init; }

    public required DateTimeOffset When { get; init; }

    /// <summary>The reason given; empty when none was.</summary>
    public required string Why { get; init; }

    /// <summary>Whether --force overrode failed gates.</summary>
    public required bool Forced { get; init; }

    /// <summary>Whether the target version's gates had all passed.</summary>
    public required bool GatesPassed { get; init; }

    public required string Machine { get; init; }

    /// <summary>
    /// Whether the move took effect: the event is on the chain of an alias's current state. Not stored:
    /// worked out from the aliases whenever the log is read.
    /// </summary>
    public bool Applied { get; init; }

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteNumber("sequence", Sequence);
        writer.WriteString("id", Id);
        writer.WriteString("model", Model);
        writer.WriteString("alias", Alias);
        writer.WriteString("action", Action);
        if (From is { } from)
        {
            writer.WriteNumber("from", from);
        }
        else
        {
            writer.WriteNull("from");
        }

        writer.WriteNumber("to", To);
        if (PreviousEvent is { } previous)
        {
            writer.WriteNumber("previous_event", previous);
        }
        else
        {
            writer.WriteNull("previous_event");
        }

        writer.WriteString("who", Who);
        writer.WriteString("when", RegistryJson.Time(When));
        writer.WriteString("why", Why);
        writer.WriteBoolean("forced", Forced);
        writer.WriteBoolean("gates_passed", GatesPassed);
        writer.WriteString("machine", Machine);
        writer.WriteEndObject();
    });

    public static AuditEvent Parse(byte[] json, string model, long sequence, SourceLocation where)
    {
        var parsed = RegistryJson.Parse(json, where, $"audit event {sequence}", root => new AuditEvent
        {
            Sequence = root.GetProperty("sequence").GetInt64(),
            Id = RegistryJson.RequiredString(root, "id"),
            Model = RegistryJson.RequiredString(root, "model"),
            Alias = RegistryJson.RequiredString(root, "alias"),
            Action = RegistryJson.RequiredString(root, "action"),
            From = RegistryJson.OptionalInt(root, "from"),
            To = root.GetProperty("to").GetInt32(),
            PreviousEvent = RegistryJson.OptionalLong(root, "previous_event"),
            Who = RegistryJson.RequiredString(root, "who"),
            When = RegistryJson.ParseTime(RegistryJson.RequiredString(root, "when")),
            Why = RegistryJson.RequiredString(root, "why"),
            Forced = root.GetProperty("forced").GetBoolean(),
            GatesPassed = root.GetProperty("gates_passed").GetBoolean(),
            Machine = RegistryJson.RequiredString(root, "machine"),
        });
        return parsed.Model == model && parsed.Sequence == sequence
            ? parsed
            : throw RegistryJson.Corrupt(where, $"the event describes {parsed.Model} event {parsed.Sequence}, not {model} event {sequence}");
    }
}
