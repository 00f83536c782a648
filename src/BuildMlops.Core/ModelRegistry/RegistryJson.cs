using System.Globalization;
using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// Reading the registry's own JSON files. Anything unreadable in them (truncated, hand-edited, a field
/// missing or of the wrong type) is a damaged entry, BM8004, with the key it came from: never a crash,
/// and never a guess at what the entry meant.
/// </summary>
internal static class RegistryJson
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Parses an entry with <paramref name="read"/>, turning every kind of malformation into BM8004.</summary>
    public static T Parse<T>(byte[] bytes, SourceLocation where, string what, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return read(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Corrupt(where, $"{what} cannot be read: {exception.Message}");
        }
    }

    public static MlopsException Corrupt(SourceLocation where, string message) =>
        new(ErrorCodes.RegistryEntryCorrupt, where, message, "The registry entry was damaged or edited by hand: restore it from a backup of the store, or register the model again (a new version)");

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int? OptionalInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    public static long? OptionalLong(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    public static double? OptionalDouble(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    public static string RequiredString(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    /// <summary>A number, or null for JSON null (an undefined metric).</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary><c>"git": { "commit": …, "dirty": … }</c>, or <c>"git": null</c> outside a git work tree.</summary>
    public static void WriteGit(Utf8JsonWriter writer, string? commit, bool? dirty)
    {
        if (commit is null)
        {
            writer.WriteNull("git");
            return;
        }

        writer.WriteStartObject("git");
        writer.WriteString("commit", commit);
        writer.WriteBoolean("dirty", dirty ?? false);
        writer.WriteEndObject();
    }

    /// <summary>The commit and dirty flag of a <c>git</c> member written by <see cref="WriteGit"/>.</summary>
    public static (string? Commit, bool? Dirty) ReadGit(JsonElement root)
    {
        var git = root.GetProperty("git");
        return git.ValueKind == JsonValueKind.Object ? (RequiredString(git, "commit"), git.GetProperty("dirty").GetBoolean()) : (null, null);
    }

    public static SortedDictionary<string, string> StringMap(JsonElement element) =>
        new(element.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetString() ?? ""), StringComparer.Ordinal);

    public static void WriteStringMap(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, string>> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}
