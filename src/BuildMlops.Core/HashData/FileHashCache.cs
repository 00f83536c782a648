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
                var loaded = JsonSerializer.Deserialize(File.ReadAllText(path), HashCacheJsonContext.Default.DictionaryStringEntry);
                foreach (var (key, value) in loaded ?? [])
                {
                    entries[key] = value;
                }
            }
        }
        catch (JsonException)
        {
            // A damaged cache only costs a re-hash.
        }

        return new FileHashCache(path, entries);
    }

    /// <summary>The file's hash and size, and whether it had to be read to get them.</summary>
    public (string Hash, long Size, bool Rehashed) Get(string fullPath)
    {
        var stat = FileStat.Of(fullPath) ?? throw new FileNotFoundException("no such file", fullPath);
        if (_entries.TryGetValue(fullPath, out var entry) && entry.Matches(stat) && entry.ModifiedNs < entry.RecordedNs)
        {
            return (entry.Hash, stat.Size, false);
        }

        var hash = ContentHash.OfFile(fullPath);
        Interlocked.Increment(ref _filesRead);
        var after = FileStat.Of(fullPath);
        if (after == stat)
        {
            // Only remember a hash of a file that did not change while it was read.
            Remember(fullPath, stat, hash);
        }

        return (hash, stat.Size, true);
    }

    /// <summary>Hashes many files, in parallel: each file's hash depends only on its own bytes.</summary>
    public IReadOnlyDictionary<string, (string Hash, long Size, bool Rehashed)> GetMany(IReadOnlyCollection<string> fullPaths)
    {
        var results = new ConcurrentDictionary<string, (string, long, bool)>(StringComparer.Ordinal);
        Parallel.ForEach(fullPaths, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path => results[path] = Get(path));
        return results;
    }

    /// <summary>Records the hash of a file this process just wrote itself (checkout), so it is never read back.</summary>
    public void Record(string fullPath, string hash)
    {
        if (FileStat.Of(fullPath) is { } stat)
        {
            Remember(fullPath, stat, hash);
        }
    }

    /// <summary>How many files this instance had to read and hash (the rest the stat cache vouched for).</summary>
    public int FilesRead => _filesRead;

    /// <summary>The last recorded hash of the file, if any, without touching the disk.</summary>
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

    private void Remember(string fullPath, FileStat stat, string hash)
    {
        _entries[fullPath] = new Entry(stat.Size, stat.ModifiedNanoseconds, stat.ChangedNanoseconds, stat.Device, stat.Inode, 0, hash);
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
