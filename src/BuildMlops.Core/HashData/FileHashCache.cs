using System.Text.Json;
using BuildMlops.IO;

namespace BuildMlops.HashData;

/// <summary>
/// Remembers the hash of each file by its size and modification time, so a no-op build reads no data.
/// A file modified within <see cref="RacyWindow"/> of the moment its hash was recorded is hashed again:
/// a write in the same timestamp tick would otherwise go unseen (git's "racy clean" problem).
/// </summary>
public sealed class FileHashCache
{
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);
    private readonly string _path;
    private readonly SortedDictionary<string, Entry> _entries;
    private bool _dirty;

    private FileHashCache(string path, SortedDictionary<string, Entry> entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>Loads the cache at <paramref name="path"/>; a missing or unreadable cache is empty.</summary>
    public static FileHashCache Load(string path)
    {
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(path))
            {
                var loaded = JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(path));
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

    /// <summary>The file's hash, and whether it had to be read to get it.</summary>
    public (string Hash, long Size, bool Rehashed) Get(string fullPath)
    {
        var info = new FileInfo(fullPath);
        var size = info.Length;
        var modified = info.LastWriteTimeUtc.Ticks;
        if (_entries.TryGetValue(fullPath, out var entry)
            && entry.Size == size
            && entry.ModifiedTicks == modified
            && entry.RecordedTicks - modified > RacyWindow.Ticks)
        {
            return (entry.Hash, size, false);
        }

        var hash = ContentHash.OfFile(fullPath);
        _entries[fullPath] = new Entry(size, modified, DateTime.UtcNow.Ticks, hash);
        _dirty = true;
        return (hash, size, true);
    }

    /// <summary>The last recorded hash of the file, if any, without touching the disk.</summary>
    public string? Previous(string fullPath) => _entries.TryGetValue(fullPath, out var entry) ? entry.Hash : null;

    public void Save()
    {
        if (_dirty)
        {
            AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(_entries));
            _dirty = false;
        }
    }

    public sealed record Entry(long Size, long ModifiedTicks, long RecordedTicks, string Hash);
}
