using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.IO;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// Where a registered model came from: the commit and whether the work tree was dirty, the data it was
/// trained on (by hash), the settings and tool versions its lock file records, the image it was packaged
/// into, and who registered it, when and on which machine. Stored per version as <c>lineage.json</c>.
/// Settings and versions come from the lock file, not from the project as it is now: they are what
/// produced these bytes.
/// </summary>
public sealed record Lineage
{
    public const int SchemaVersion = 1;

    /// <summary>The project file's name, e.g. <c>churn.csproj</c>.</summary>
    public required string Project { get; init; }

    /// <summary>HEAD of the git work tree holding the project; null outside git.</summary>
    public string? GitCommit { get; init; }

    /// <summary>Whether the work tree had uncommitted changes (tracked or untracked, not ignored); null outside git.</summary>
    public bool? GitDirty { get; init; }

    /// <summary>Each data file or folder the model was trained on, as the lock file names it.</summary>
    public required IReadOnlyList<DataLineage> Data { get; init; }

    /// <summary>Usable rows, from schema.json.</summary>
    public long? Rows { get; init; }

    /// <summary>The train step's <c>param:</c> dependencies without the prefix (MlopsSeed, MlopsTestFraction, MlopsTrainer…).</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required string Trainer { get; init; }

    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }

    /// <summary>Each <c>MlopsColumn</c> setting, as <c>type=…;ignore=…</c>.</summary>
    public required IReadOnlyDictionary<string, string> Columns { get; init; }

    /// <summary>The versions that trained the model: <c>buildmlops</c>, <c>mlnet</c>, <c>runtime</c>.</summary>
    public required IReadOnlyDictionary<string, string> Versions { get; init; }

    /// <summary>The BuildMlops version that registered it.</summary>
    public required string RegisteredWith { get; init; }

    /// <summary>The OCI image's digest, when the project was packaged (bin/mlops/image/image.json).</summary>
    public string? ImageDigest { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary><c>Name &lt;email&gt;</c> from git, else the user name.</summary>
    public required string RegisteredBy { get; init; }

    public required string Machine { get; init; }

    public string ToJson(string model) => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteString("model", model);
        writer.WriteString("project", Project);
        RegistryJson.WriteGit(writer, GitCommit, GitDirty);

        writer.WriteStartArray("data");
        foreach (var data in Data)
        {
            writer.WriteStartObject();
            writer.WriteString("name", data.Name);
            // Named by its algorithm, as pointer files name theirs: "sha256": "…" or "blake3": "…".
            var id = data.Id;
            writer.WriteString(id?.Algorithm.Name() ?? ContentHashAlgorithm.Sha256.Name(), id?.Hash ?? data.Hash);
            if (data.Size is { } size)
            {
                writer.WriteNumber("size", size);
            }
            else
            {
                writer.WriteNull("size");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (Rows is { } rows)
        {
            writer.WriteNumber("rows", rows);
        }

        writer.WriteString("trainer", Trainer);
        RegistryJson.WriteStringMap(writer, "parameters", Parameters);
        RegistryJson.WriteStringMap(writer, "hyperparameters", Hyperparameters);
        RegistryJson.WriteStringMap(writer, "columns", Columns);
        RegistryJson.WriteStringMap(writer, "versions", Versions);
        writer.WriteString("registered_with", RegisteredWith);
        RegistryJson.WriteStringOrNull(writer, "image_digest", ImageDigest);

        writer.WriteString("registered_at", RegistryJson.Time(RegisteredAt));
        writer.WriteString("registered_by", RegisteredBy);
        writer.WriteString("machine", Machine);
        writer.WriteEndObject();
    });

    public static Lineage Parse(byte[] json, SourceLocation where) => RegistryJson.Parse(json, where, "lineage.json", root =>
    {
        var git = RegistryJson.ReadGit(root);
        return new Lineage
        {
            Project = RegistryJson.RequiredString(root, "project"),
            GitCommit = git.Commit,
            GitDirty = git.Dirty,
            Data = root.GetProperty("data").EnumerateArray().Select(data => new DataLineage(RegistryJson.RequiredString(data, "name"), DataHash(data), RegistryJson.OptionalLong(data, "size"))).ToList(),
            Rows = RegistryJson.OptionalLong(root, "rows"),
            Trainer = RegistryJson.RequiredString(root, "trainer"),
            Parameters = RegistryJson.StringMap(root.GetProperty("parameters")),
            Hyperparameters = RegistryJson.StringMap(root.GetProperty("hyperparameters")),
            Columns = RegistryJson.StringMap(root.GetProperty("columns")),
            Versions = RegistryJson.StringMap(root.GetProperty("versions")),
            RegisteredWith = RegistryJson.RequiredString(root, "registered_with"),
            ImageDigest = RegistryJson.OptionalString(root, "image_digest"),
            RegisteredAt = RegistryJson.ParseTime(RegistryJson.RequiredString(root, "registered_at")),
            RegisteredBy = RegistryJson.RequiredString(root, "registered_by"),
            Machine = RegistryJson.RequiredString(root, "machine"),
        };
    });

    /// <summary>A data entry's hash: <c>sha256</c>, or another algorithm's name as its key (<c>blake3</c>).</summary>
    private static string DataHash(System.Text.Json.JsonElement data)
    {
        foreach (var algorithm in ContentHashAlgorithms.All.Where(algorithm => algorithm != ContentHashAlgorithm.Sha256))
        {
            if (data.TryGetProperty(algorithm.Name(), out var hash) && hash.GetString() is { } value)
            {
                return new ContentId(algorithm, value).Reference;
            }
        }

        return RegistryJson.RequiredString(data, ContentHashAlgorithm.Sha256.Name());
    }
}

/// <summary>
/// One data file or folder a model was trained on: its name in the lock file, its hash as the lock file
/// records it (a <see cref="ContentId.Reference"/>: bare SHA-256, or <c>blake3:…</c>) and size in bytes
/// (null when unknown).
/// </summary>
public sealed record DataLineage(string Name, string Hash, long? Size)
{
    /// <summary>The hash with its algorithm; null if the lock file recorded something else.</summary>
    public ContentId? Id => ContentId.TryParse(Hash, out var id) ? id : null;
}
