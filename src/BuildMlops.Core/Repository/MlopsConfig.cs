using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.IO;

namespace BuildMlops.Repository;

/// <summary>
/// <c>.mlops/config.json</c> at the repository root, committed: the remotes, which one is the default,
/// where the cache lives and how files are linked from it. Written sorted and with '\n', so two
/// machines that make the same change write the same bytes.
/// </summary>
public sealed class MlopsConfig
{
    public const string DefaultCacheDirectory = ".mlops/cache";

    public string? DefaultRemote { get; set; }

    public SortedDictionary<string, RemoteSettings> Remotes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The cache folder, relative to the repository root (or absolute, e.g. a shared cache).</summary>
    public string Cache { get; set; } = DefaultCacheDirectory;

    /// <summary>How checkout places a cache object in the workspace, tried in order: reflink, hardlink, copy.</summary>
    public List<string> LinkTypes { get; set; } = ["reflink", "copy"];

    /// <summary>
    /// The hash <c>mlops data add</c> names new data with: <c>blake3</c> (when unset) or <c>sha256</c>. Data
    /// already tracked keeps the algorithm its pointer names.
    /// </summary>
    public string? Hash { get; set; }

    /// <summary><see cref="Hash"/> as an algorithm; <see cref="Load"/> has refused any other value.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ContentHashAlgorithm DataHashAlgorithm =>
        ContentHashAlgorithms.TryParse(Hash, out var algorithm) ? algorithm : ContentHashAlgorithms.DataDefault;

    /// <summary>Push run-cache records and their outputs after each step that ran, when CI=true.</summary>
    public bool AutoPushRunCache { get; set; }

    public static MlopsConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new MlopsConfig();
        }

        var text = File.ReadAllText(path);
        MlopsConfig config;
        try
        {
            config = JsonSerializer.Deserialize(text, MlopsJsonContext.Default.MlopsConfig) ?? new MlopsConfig();
        }
        catch (JsonException exception)
        {
            throw new MlopsException(
                ErrorCodes.BadConfig,
                new SourceLocation(path, (int)(exception.LineNumber ?? -1) + 1, (int)(exception.BytePositionInLine ?? -1) + 1),
                $"the configuration cannot be read: {exception.Message}",
                "Fix the JSON, or restore the file from version control");
        }

        // Checked here, with the other reading errors, so that every command refuses it, not only the one that uses it.
        if (config.Hash is not null && !ContentHashAlgorithms.TryParse(config.Hash, out _))
        {
            throw new MlopsException(
                ErrorCodes.BadConfig,
                new SourceLocation(path, LineOf(text, "\"hash\"")),
                $"\"hash\": \"{config.Hash}\" is not a hash algorithm BuildMlops knows",
                $"Use one of {ContentHashAlgorithms.Names}, or remove the setting for the default ('{ContentHashAlgorithms.DataDefault.Name()}')");
        }

        return config;
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="token"/>, or 0 when it is not there.</summary>
    private static int LineOf(string text, string token)
    {
        var at = text.IndexOf(token, StringComparison.Ordinal);
        return at < 0 ? 0 : text.AsSpan(0, at).Count('\n') + 1;
    }

    public void Save(string path) =>
        AtomicFile.WriteAllTextIfChanged(path, JsonSerializer.Serialize(this, MlopsJsonContext.Default.MlopsConfig).ReplaceLineEndings("\n") + "\n");
}
