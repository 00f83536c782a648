using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// A model's aliases, <c>aliases.json</c>: one object, replaced only by compare-and-swap, so every alias move
/// is atomic and a reader sees all of a model's aliases as of one moment. One file rather than one per
/// alias, because the registry never lists keys (a remote needs no list permission): the aliases a model
/// has are the members of this file.
/// </summary>
public sealed record AliasTable(string Model, IReadOnlyDictionary<string, AliasState> Aliases)
{
    public const int SchemaVersion = 1;

    public static AliasTable Empty(string model) => new(model, new SortedDictionary<string, AliasState>(StringComparer.Ordinal));

    public AliasState? this[string alias] => Aliases.GetValueOrDefault(alias);

    /// <summary>A copy with <paramref name="state"/> set.</summary>
    public AliasTable With(AliasState state) =>
        this with { Aliases = new SortedDictionary<string, AliasState>(Aliases.ToDictionary(pair => pair.Key, pair => pair.Value), StringComparer.Ordinal) { [state.Alias] = state } };

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteString("model", Model);
        writer.WriteStartObject("aliases");
        foreach (var state in Aliases.Values.OrderBy(state => state.Alias, StringComparer.Ordinal))
        {
            writer.WriteStartObject(state.Alias);
            writer.WriteNumber("version", state.Version);
            writer.WriteNumber("event", state.Event);
            writer.WriteString("moved_at", RegistryJson.Time(state.MovedAt));
            writer.WriteString("moved_by", state.MovedBy);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static AliasTable Parse(byte[] json, string model, SourceLocation where)
    {
        var table = RegistryJson.Parse(json, where, "aliases.json", root =>
        {
            if (root.GetProperty("schema").GetInt32() != SchemaVersion)
            {
                throw new FormatException($"schema {root.GetProperty("schema")} is not {SchemaVersion}");
            }

            var name = RegistryJson.RequiredString(root, "model");
            var aliases = root.GetProperty("aliases").EnumerateObject().Select(alias => new AliasState
            {
                Model = name,
                Alias = alias.Name,
                Version = alias.Value.GetProperty("version").GetInt32(),
                Event = alias.Value.GetProperty("event").GetInt64(),
                MovedAt = RegistryJson.ParseTime(RegistryJson.RequiredString(alias.Value, "moved_at")),
                MovedBy = RegistryJson.RequiredString(alias.Value, "moved_by"),
            });
            return new AliasTable(name, new SortedDictionary<string, AliasState>(aliases.ToDictionary(state => state.Alias), StringComparer.Ordinal));
        });
        if (table.Model != model)
        {
            throw RegistryJson.Corrupt(where, $"aliases.json describes the aliases of {table.Model}, not of {model}");
        }

        if (table.Aliases.Values.FirstOrDefault(state => !RegistryNames.IsValidAlias(state.Alias) || state.Version <= 0 || state.Event <= 0) is { } bad)
        {
            throw RegistryJson.Corrupt(where, $"aliases.json has alias '{bad.Alias}' at version {bad.Version} by event {bad.Event}, which cannot be");
        }

        return table;
    }
}
