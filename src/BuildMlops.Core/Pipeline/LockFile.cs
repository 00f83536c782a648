using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.IO;

namespace BuildMlops.Pipeline;

/// <summary>
/// <c>mlops.lock.json</c>: for each step that has run, what it depended on (data hashes, parameters,
/// versions, upstream outputs) and the hashes of what it wrote. Committed beside the project, like
/// dvc.lock, it is both the incremental state and the record that <c>MlopsVerify</c> reproduces.
/// It holds no time, machine or absolute path, so equal builds give equal bytes.
/// </summary>
public sealed class LockFile
{
    public const int SchemaVersion = 1;

    public SortedDictionary<string, StageRecord> Stages { get; } = new(StringComparer.Ordinal);

    public string Project { get; set; } = "";

    public StageRecord? Stage(StepName step) => Stages.GetValueOrDefault(step.Key());

    public static LockFile Load(string path) =>
        File.Exists(path)
            ? Parse(File.ReadAllText(path), new SourceLocation(path)) // ReadAllText drops a byte order mark an editor may add
            : new LockFile();

    /// <summary>A lock file's text, e.g. as git has it at another commit; errors point at <paramref name="location"/>.</summary>
    public static LockFile Parse(string text, SourceLocation location)
    {
        var lockFile = new LockFile();
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.GetProperty("schema").GetInt32() != SchemaVersion)
            {
                throw new JsonException($"schema {root.GetProperty("schema")} is not {SchemaVersion}");
            }

            lockFile.Project = root.GetProperty("project").GetString() ?? "";
            foreach (var stage in root.GetProperty("stages").EnumerateObject())
            {
                var record = new StageRecord();
                foreach (var dep in stage.Value.GetProperty("deps").EnumerateObject())
                {
                    record.Deps[dep.Name] = dep.Value.GetString() ?? "";
                }

                foreach (var output in stage.Value.GetProperty("outs").EnumerateObject())
                {
                    record.Outs[output.Name] = new OutputRecord(
                        output.Value.GetProperty("sha256").GetString() ?? "",
                        output.Value.GetProperty("size").GetInt64());
                }

                lockFile.Stages[stage.Name] = record;
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MlopsException(
                ErrorCodes.BadLockFile,
                location,
                $"the lock file cannot be read: {exception.Message}",
                "Restore it from version control, or delete it to rebuild every step");
        }

        return lockFile;
    }

    public string ToJson() => DeterministicJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteString("project", Project);
        writer.WriteStartObject("stages");
        foreach (var step in StepNames.InOrder)
        {
            if (Stages.TryGetValue(step.Key(), out var record))
            {
                writer.WriteStartObject(step.Key());
                WriteDepsAndOuts(writer, record.Deps, record.Outs);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public void Save(string path) => AtomicFile.WriteAllTextIfChanged(path, ToJson());

    /// <summary>The <c>deps</c> and <c>outs</c> objects, as the lock file and run-cache records both write them.</summary>
    internal static void WriteDepsAndOuts(System.Text.Json.Utf8JsonWriter writer, IReadOnlyDictionary<string, string> deps, IReadOnlyDictionary<string, OutputRecord> outs)
    {
        writer.WriteStartObject("deps");
        foreach (var (name, value) in deps)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("outs");
        foreach (var (name, output) in outs)
        {
            writer.WriteStartObject(name);
            writer.WriteString("sha256", output.Sha256);
            writer.WriteNumber("size", output.Size);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}

/// <summary>One step's entry in the lock file.</summary>
public sealed class StageRecord
{
    /// <summary>Dependency name (<c>data:…</c>, <c>param:…</c>, <c>version:…</c>, <c>in:…</c>) to its value or hash.</summary>
    public SortedDictionary<string, string> Deps { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Output path relative to the project, with forward slashes, to its hash and size.</summary>
    public SortedDictionary<string, OutputRecord> Outs { get; init; } = new(StringComparer.Ordinal);
}

public sealed record OutputRecord(string Sha256, long Size);
