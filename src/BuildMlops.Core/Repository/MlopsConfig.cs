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

    /// <summary><see cref="Hash"/>, checked: BM5011 names the file if it is not an algorithm we know.</summary>
    public ContentHashAlgorithm DataHashAlgorithm(string configPath) =>
        Hash is null ? ContentHashAlgorithms.DataDefault
        : ContentHashAlgorithms.TryParse(Hash, out var algorithm) ? algorithm
        : throw new MlopsException(ErrorCodes.BadConfig, new SourceLocation(configPath), $"\"hash\": \"{Hash}\" is not a hash algorithm BuildMlops knows", $"Use one of {ContentHashAlgorithms.Names}, or remove the setting for the default ('{ContentHashAlgorithms.DataDefault.Name()}')");

    /// <summary>Push run-cache records and their outputs after each step that ran, when CI=true.</summary>
    public bool AutoPushRunCache { get; set; }

    public static MlopsConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new MlopsConfig();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), MlopsJsonContext.Default.MlopsConfig) ?? new MlopsConfig();
        }
        catch (JsonException exception)
        {
            throw new MlopsException(
                ErrorCodes.BadConfig,
                new SourceLocation(path, (int)(exception.LineNumber ?? -1) + 1, (int)(exception.BytePositionInLine ?? -1) + 1),
                $"the configuration cannot be read: {exception.Message}",
                "Fix the JSON, or restore the file from version control");
        }
    }

    public void Save(string path) =>
        AtomicFile.WriteAllTextIfChanged(path, JsonSerializer.Serialize(this, MlopsJsonContext.Default.MlopsConfig).ReplaceLineEndings("\n") + "\n");
}
