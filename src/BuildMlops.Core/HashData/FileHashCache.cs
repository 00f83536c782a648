using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Text.Json;
using BuildMlops.IO;

namespace BuildMlops.HashData;

/// <summary>
/// Remembers each file's hash with its <see cref="FileStat"/>, so a no-op build or status reads no data.
/// An entry is trusted only if the file was last modified strictly before the file system's clock at
/// the moment the entry was recorded; a write in the same timestamp tick as the hashing would
/// otherwise go unseen (git's "racy clean" problem). That clock is read from a probe file's mtime, not
/// the system clock, so coarse timestamps and a skewed network file system are handled alike.
/// Each entry's hash is a <see cref="ContentId.Reference"/>, so one file can be asked for in either
/// algorithm: an entry in another algorithm than the one asked for is hashed again and replaced.
/// </summary>
public sealed class FileHashCache
{
    private readonly string _path;
    private readonly ConcurrentDictionary<string, Entry> _entries;
    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);
    private int _filesRead;

    private FileHashCache(string path, ConcurrentDictionary<string, Entry> entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>Loads the cache at <paramref name="path"/>; a missing or unreadable cache is empty.</summary>
    public static FileHashCache Load(string path)
    {
        var entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(path))
            {
                Parse(File.ReadAllBytes(path), entries);
            }
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            // A damaged cache only costs a re-hash: all of it is dropped, not just the entries after the damage.
            entries.Clear();
        }

        return new FileHashCache(path, entries);
    }

    /// <summary>
    /// Reads the file <see cref="Save"/> writes, <c>{"path": {"Size": .., ..., "Hash": ".."}, ...}</c>, straight
    /// from its UTF-8 bytes into <paramref name="entries"/>. A warm no-op status of a large tracked directory
    /// spends most of its time here: with 10,000 entries this is several times faster than
    /// <see cref="JsonSerializer"/>, which decodes the file to a string, buffers each record's constructor
    /// arguments, and fills a dictionary that then has to be copied into a concurrent one.
    /// </summary>
    private static void Parse(ReadOnlySpan<byte> json, ConcurrentDictionary<string, Entry> entries)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            Expect(ref reader, JsonTokenType.StartObject);
            long size = 0, modified = 0, changed = 0, recorded = 0;
            ulong device = 0, inode = 0;
            string? hash = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Size"u8)) { size = NextInt64(ref reader); }
                else if (reader.ValueTextEquals("ModifiedNs"u8)) { modified = NextInt64(ref reader); }
                else if (reader.ValueTextEquals("ChangedNs"u8)) { changed = NextInt64(ref reader); }
                else if (reader.ValueTextEquals("Device"u8)) { Next(ref reader); device = reader.GetUInt64(); }
                else if (reader.ValueTextEquals("Inode"u8)) { Next(ref reader); inode = reader.GetUInt64(); }
                else if (reader.ValueTextEquals("RecordedNs"u8)) { recorded = NextInt64(ref reader); }
                else if (reader.ValueTextEquals("Hash"u8)) { Next(ref reader); hash = reader.GetString(); }
                else
                {
                    // A property a later version added: not ours to judge.
                    Next(ref reader);
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || hash is null)
            {
                throw new JsonException("a hash cache entry without a hash");
            }

            entries[key] = new Entry(size, modified, changed, device, inode, recorded, hash);
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("the hash cache is not one JSON object");
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the hash cache ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException($"the hash cache has {reader.TokenType} where {type} belongs");
        }
    }

    private static long NextInt64(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.GetInt64();
    }

    /// <summary>The file's hash and size, and whether it had to be read to get them.</summary>
    public (string Hash, long Size, bool Rehashed) Get(string fullPath, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256)
    {
        var stat = FileStat.Of(fullPath) ?? throw new FileNotFoundException("no such file", fullPath);
        if (_entries.TryGetValue(fullPath, out var entry) && entry.Matches(stat) && entry.ModifiedNs < entry.RecordedNs
            && ContentId.TryParse(entry.Hash, out var known) && known.Algorithm == algorithm)
        {
            return (known.Hash, stat.Size, false);
        }

        var hash = ContentHash.OfFile(fullPath, algorithm);
        Interlocked.Increment(ref _filesRead);
        var after = FileStat.Of(fullPath);
        if (after == stat)
        {
            // Only remember a hash of a file that did not change while it was read.
            Remember(fullPath, stat, new ContentId(algorithm, hash).Reference);
        }

        return (hash, stat.Size, true);
    }

    /// <summary>
    /// Hashes many files, in parallel: each file's hash depends only on its own bytes. A file large enough
    /// for <see cref="Blake3"/> to split across the cores already uses them all.
    /// </summary>
    public IReadOnlyDictionary<string, (string Hash, long Size, bool Rehashed)> GetMany(IReadOnlyCollection<string> fullPaths, ContentHashAlgorithm algorithm = ContentHashAlgorithm.Sha256)
    {
        var results = new ConcurrentDictionary<string, (string, long, bool)>(StringComparer.Ordinal);
        Parallel.ForEach(fullPaths, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path => results[path] = Get(path, algorithm));
        return results;
    }

    /// <summary>Records the hash of a file this process just wrote itself (checkout), so it is never read back.</summary>
    public void Record(string fullPath, ContentId id)
    {
        if (FileStat.Of(fullPath) is { } stat)
        {
            Remember(fullPath, stat, id.Reference);
        }
    }

    /// <summary>
    /// True if <paramref name="fullPath"/> is unchanged since <paramref name="fact"/> was recorded about it with
    /// <see cref="RecordFact"/>, by the same stat rules as a hash: a pointer file checked once need not be
    /// checked again while its size, times and inode stay the same.
    /// </summary>
    public bool Vouches(string fullPath, string fact) =>
        FileStat.Of(fullPath) is { } stat && _entries.TryGetValue(fullPath, out var entry) && entry.Matches(stat) && entry.ModifiedNs < entry.RecordedNs
        && string.Equals(entry.Hash, fact, StringComparison.Ordinal);

    /// <summary>
    /// Records what was found true of a file read while it had stat <paramref name="before"/>, if it still has it.
    /// A fact must not read as a <see cref="ContentId.Reference"/>, so <see cref="Get"/> never takes it for a hash.
    /// </summary>
    public void RecordFact(string fullPath, FileStat before, string fact)
    {
        if (ContentId.TryParse(fact, out _))
        {
            throw new ArgumentException("a fact must not look like a hash", nameof(fact));
        }

        if (FileStat.Of(fullPath) == before)
        {
            Remember(fullPath, before, fact);
        }
    }

    /// <summary>How many files this instance had to read and hash (the rest the stat cache vouched for).</summary>
    public int FilesRead => _filesRead;

    /// <summary>The last recorded hash of the file (a <see cref="ContentId.Reference"/>), if any, without touching the disk.</summary>
    public string? Previous(string fullPath) => _entries.TryGetValue(fullPath, out var entry) ? entry.Hash : null;

    /// <summary>
    /// Stamps new entries with the file system's current time and writes the cache. With
    /// <paramref name="waitForNewTick"/>, first waits (a few milliseconds at most on common file systems)
    /// until that time is past every new entry's mtime, so files just written are trusted next time.
    /// </summary>
    public void Save(bool waitForNewTick = false)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var newest = _pending.Keys.Select(key => _entries.TryGetValue(key, out var entry) ? entry.ModifiedNs : 0).DefaultIfEmpty(0).Max();
        var now = FileSystemNow();
        for (var attempt = 0; waitForNewTick && now <= newest && attempt < 200; attempt++)
        {
            Thread.Sleep(10);
            now = FileSystemNow();
        }

        foreach (var key in _pending.Keys)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.RecordedNs == 0)
            {
                _entries[key] = entry with { RecordedNs = now };
            }
        }

        _pending.Clear();
        var sorted = new SortedDictionary<string, Entry>(_entries, StringComparer.Ordinal);
        AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(new Dictionary<string, Entry>(sorted), HashCacheJsonContext.Default.DictionaryStringEntry));
    }

    private void Remember(string fullPath, FileStat stat, string reference)
    {
        _entries[fullPath] = new Entry(stat.Size, stat.ModifiedNanoseconds, stat.ChangedNanoseconds, stat.Device, stat.Inode, 0, reference);
        _pending[fullPath] = true;
    }

    /// <summary>The file system's clock: the mtime of a file written now, beside the cache.</summary>
    private long FileSystemNow()
    {
        var probe = _path + ".probe";
        File.WriteAllText(probe, "");
        return FileStat.Of(probe)?.ModifiedNanoseconds ?? long.MaxValue;
    }

    public sealed record Entry(long Size, long ModifiedNs, long ChangedNs, ulong Device, ulong Inode, long RecordedNs, string Hash)
    {
        public bool Matches(FileStat stat) =>
            Size == stat.Size && ModifiedNs == stat.ModifiedNanoseconds && ChangedNs == stat.ChangedNanoseconds && Device == stat.Device && Inode == stat.Inode;
    }
}

[JsonSerializable(typeof(Dictionary<string, FileHashCache.Entry>))]
internal sealed partial class HashCacheJsonContext : JsonSerializerContext;
