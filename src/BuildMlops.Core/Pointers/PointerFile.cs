using System.Text;
using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Repository;

namespace BuildMlops.Pointers;

/// <summary>
/// <c>&lt;path&gt;.mlops</c>: the small file committed in place of tracked data. It names the data
/// (relative to the pointer's folder), its hash and size, and for a directory the file count and a
/// manifest of every file's relative path, hash and size. The bytes themselves live in the cache.
/// </summary>
public sealed class PointerFile
{
    public const string Extension = ".mlops";
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>The data, relative to the folder holding the pointer, with forward slashes.</summary>
    public string Path { get; set; } = "";

    /// <summary><c>file</c> or <c>directory</c>.</summary>
    public string Type { get; set; } = "file";

    /// <summary>
    /// The hash function of <see cref="Hash"/> and the manifest's hashes: <c>blake3</c>, or <c>sha256</c>
    /// for data added before BLAKE3. A pointer without one is SHA-256, as it always was.
    /// </summary>
    public string Algorithm { get; set; } = ContentHashAlgorithm.Sha256.Name();

    /// <summary>A file's content hash, or a directory's manifest hash (see <see cref="ManifestHash"/>).</summary>
    public string Hash { get; set; } = "";

    /// <summary>Bytes: the file's, or the sum over a directory's files.</summary>
    public long Size { get; set; }

    public int? Files { get; set; }

    public List<ManifestEntry>? Manifest { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsDirectory => Type == "directory";

    /// <summary><see cref="Algorithm"/>, parsed; <see cref="Load"/> has checked it is one we know.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ContentHashAlgorithm HashAlgorithm => ContentHashAlgorithms.TryParse(Algorithm, out var algorithm) ? algorithm : throw new InvalidOperationException($"unknown hash algorithm '{Algorithm}'");

    /// <summary>The object a file pointer names (a directory's manifest hash names no object).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ContentId Id => new(HashAlgorithm, Hash);

    /// <summary>The pointer for data at <paramref name="dataPath"/>: <c>data.csv</c> → <c>data.csv.mlops</c>.</summary>
    public static string PointerPathFor(string dataPath) => dataPath.TrimEnd('/', System.IO.Path.DirectorySeparatorChar) + Extension;

    /// <summary>The data a pointer file tracks, as an absolute path.</summary>
    public string DataPath(string pointerPath) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(pointerPath))!, Path));

    /// <summary>
    /// A directory's hash: the hash of its manifest as "hash size path" lines sorted by path, so the same
    /// files give the same hash on every machine and file system.
    /// </summary>
    public static string ManifestHash(IEnumerable<ManifestEntry> manifest, ContentHashAlgorithm algorithm)
    {
        var text = new StringBuilder();
        foreach (var entry in manifest.OrderBy(entry => entry.Path, StringComparer.Ordinal))
        {
            text.Append(entry.Hash).Append(' ').Append(entry.Size).Append(' ').Append(entry.Path).Append('\n');
        }

        return ContentHash.OfText(text.ToString(), algorithm);
    }

    /// <summary>Every object the pointer needs: the file's, or each manifest entry's.</summary>
    public IEnumerable<(ContentId Id, long Size)> Objects() =>
        IsDirectory ? Manifest!.Select(entry => (new ContentId(HashAlgorithm, entry.Hash), entry.Size)).Distinct() : [(Id, Size)];

    /// <summary>
    /// Reads and checks a pointer file; anything wrong is BM5001, a path leaving the repository BM5002. With
    /// <paramref name="checkedBefore"/>, a directory's manifest (every entry's path, and its hash over all of
    /// them) is checked only if the stat cache cannot vouch that this pointer file is the one it checked last:
    /// for 10,000 files that check is a large part of a no-op status.
    /// </summary>
    public static PointerFile Load(string pointerPath, MlopsRepository repository, FileHashCache? checkedBefore = null)
    {
        PointerFile? pointer;
        var before = checkedBefore is null ? null : FileStat.Of(System.IO.Path.GetFullPath(pointerPath));
        try
        {
            // From the UTF-8 bytes, not a decoded string: a directory's pointer holds a line per file, and
            // decoding and re-encoding a megabyte of it is a measurable part of a no-op status.
            var bytes = File.ReadAllBytes(pointerPath).AsSpan();
            pointer = JsonSerializer.Deserialize(bytes.StartsWith(Utf8Bom) ? bytes[Utf8Bom.Length..] : bytes, MlopsJsonContext.Default.PointerFile);
        }
        catch (JsonException exception)
        {
            throw Malformed(pointerPath, $"it is not valid JSON ({exception.Message})", (int)(exception.LineNumber ?? -1) + 1);
        }
        catch (FileNotFoundException)
        {
            throw new MlopsException(ErrorCodes.DataFileMissing, new SourceLocation(pointerPath), $"pointer file '{pointerPath}' does not exist", "Check the path, or create it with 'mlops data add'");
        }

        if (pointer is null)
        {
            throw Malformed(pointerPath, "it is empty");
        }

        if (pointer.Version != CurrentVersion)
        {
            throw Malformed(pointerPath, $"its version {pointer.Version} is not {CurrentVersion}");
        }

        if (!ContentHashAlgorithms.TryParse(pointer.Algorithm, out var algorithm) || !ContentId.IsHex(pointer.Hash))
        {
            throw Malformed(pointerPath, $"it needs an algorithm ({ContentHashAlgorithms.Names}) and a 64-digit lower-case hex hash");
        }

        if (pointer.Path.Length == 0 || System.IO.Path.IsPathRooted(pointer.Path))
        {
            throw Malformed(pointerPath, "its path must name the data relative to the pointer's folder");
        }

        repository.RelativePath(pointer.DataPath(pointerPath), new SourceLocation(pointerPath));
        if (pointer.Type == "directory")
        {
            if (pointer.Manifest is null || pointer.Files != pointer.Manifest.Count)
            {
                throw Malformed(pointerPath, "a directory pointer needs a manifest with 'files' entries");
            }

            var fact = $"checked-pointer:{pointer.Algorithm}:{pointer.Hash}";
            var fullPath = System.IO.Path.GetFullPath(pointerPath);
            if (checkedBefore?.Vouches(fullPath, fact) == true)
            {
                return pointer;
            }

            var directory = pointer.DataPath(pointerPath) + System.IO.Path.DirectorySeparatorChar;
            foreach (var entry in pointer.Manifest)
            {
                // ".." anywhere could climb out of the directory; only then is the full path worth computing.
                var escapes = entry.Path.Contains("..", StringComparison.Ordinal)
                    && !System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, entry.Path)).StartsWith(directory, StringComparison.Ordinal);
                if (!ContentId.IsHex(entry.Hash) || entry.Path.Length == 0 || System.IO.Path.IsPathRooted(entry.Path) || escapes)
                {
                    throw Malformed(pointerPath, $"manifest entry '{entry.Path}' is not a relative path inside the directory with a 64-digit hash");
                }
            }

            if (ManifestHash(pointer.Manifest, algorithm) != pointer.Hash)
            {
                throw Malformed(pointerPath, "its hash does not match its manifest (was it edited by hand?)");
            }

            if (before is { } stat)
            {
                checkedBefore!.RecordFact(fullPath, stat, fact);
            }
        }
        else if (pointer.Type != "file")
        {
            throw Malformed(pointerPath, $"its type '{pointer.Type}' is neither 'file' nor 'directory'");
        }

        return pointer;
    }

    /// <summary>An editor may start a pointer it saved with this; <see cref="File.ReadAllText(string)"/> skips it too.</summary>
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Parses pointer text without checking paths (for pointers read from git history); null if malformed.</summary>
    public static PointerFile? TryParse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MlopsJsonContext.Default.PointerFile);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string pointerPath) =>
        IO.AtomicFile.WriteAllTextIfChanged(pointerPath, JsonSerializer.Serialize(this, MlopsJsonContext.Default.PointerFile).ReplaceLineEndings("\n") + "\n");

    private static MlopsException Malformed(string pointerPath, string why, int line = 0) =>
        new(ErrorCodes.MalformedPointer, new SourceLocation(pointerPath, Math.Max(line, 0)), $"pointer file is malformed: {why}", "Restore it from version control, or recreate it with 'mlops data add <data>'");
}
