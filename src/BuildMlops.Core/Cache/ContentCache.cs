using System.Collections.Concurrent;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Remotes;

namespace BuildMlops.Cache;

/// <summary>
/// The content-addressed cache: each object is a read-only file named by its hash, in a folder per
/// algorithm (<c>files/blake3/ab/cdef…</c> for tracked data, <c>files/sha256/ab/cdef…</c> for run-cache
/// outputs and older data; the same layout as remotes). Objects are only ever added by writing a
/// temporary file while hashing it and renaming it into place once the hash is known and checked, so
/// a killed process leaves at worst a temporary file, and two processes adding the same object agree.
/// Every use of an object re-hashes it first: a flipped bit is found before it reaches a workspace,
/// a remote or a build. The one exception is an object this instance hashed moments ago (it wrote it,
/// or verified it) whose file is unchanged since: see <see cref="Verify(ContentId)"/>.
/// </summary>
public sealed class ContentCache(string root)
{
    /// <summary>How long a hash this instance computed vouches for an unchanged object.</summary>
    private static readonly TimeSpan HashedRecentlyFor = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<ContentId, (FileStat Stat, long HashedAt)> hashedHere = new();

    public string Root { get; } = root;

    public string ObjectPath(ContentId id) => Path.Combine(Root, RemoteKeys.Object(id).Replace('/', Path.DirectorySeparatorChar));

    /// <summary>A SHA-256 object's path (run-cache outputs, recorded metrics).</summary>
    public string ObjectPath(string sha256) => ObjectPath(ContentId.Sha256(sha256));

    public bool Contains(ContentId id) => File.Exists(ObjectPath(id));

    public bool Contains(string sha256) => Contains(ContentId.Sha256(sha256));

    /// <summary>
    /// How many of <paramref name="ids"/> (distinct) are not in the cache. Past a few dozen it lists each
    /// fan-out folder they fall in once instead of looking every object up: a no-op status of a directory
    /// of 10,000 files otherwise spends more time in those 10,000 path lookups than in anything else but
    /// starting .NET. At most 256 folders are listed however many objects there are.
    /// </summary>
    public int CountMissing(IReadOnlyCollection<ContentId> ids)
    {
        if (ids.Count < ListFoldersFrom)
        {
            return ids.Count(id => !Contains(id));
        }

        var missing = 0;
        foreach (var folder in ids.GroupBy(id => RemoteKeys.ObjectFolder(id), StringComparer.Ordinal))
        {
            var directory = Path.Combine(Root, folder.Key.Replace('/', Path.DirectorySeparatorChar));
            var names = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                if (Directory.Exists(directory))
                {
                    // Files only, as File.Exists counts them; names, not paths, so nothing is built per object.
                    var enumeration = new System.IO.Enumeration.FileSystemEnumerable<string>(
                        directory,
                        (ref System.IO.Enumeration.FileSystemEntry entry) => entry.FileName.ToString(),
                        new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
                    {
                        ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) => !entry.IsDirectory,
                    };
                    names.UnionWith(enumeration);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A folder that can be searched but not listed: look its objects up one by one, as before.
                missing += folder.Count(id => !Contains(id));
                continue;
            }

            var lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
            missing += folder.Count(id => !lookup.Contains(id.Hash.AsSpan(2)));
        }

        return missing;
    }

    /// <summary>Below this many objects, looking each up costs less than listing their folders.</summary>
    private const int ListFoldersFrom = 64;

    /// <summary>Copies a file into the cache as a SHA-256 object (if not there yet) and returns its hash.</summary>
    public string Add(string sourcePath) => Add(sourcePath, ContentHashAlgorithm.Sha256, null).Hash;

    /// <summary>
    /// Copies a file whose hash is already known into the cache, unless the object is there; the copy is
    /// hashed again on its way, so a file that changed since it was hashed is refused (BM5009).
    /// </summary>
    public ContentId Add(string sourcePath, ContentId known) => Add(sourcePath, known.Algorithm, known);

    private ContentId Add(string sourcePath, ContentHashAlgorithm algorithm, ContentId? known)
    {
        if (known is { } id && Contains(id))
        {
            return id;
        }

        var temporary = TemporaryPath();
        ContentId added;
        try
        {
            using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan))
            using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                added = new ContentId(algorithm, CopyHashing(source, target, algorithm));
            }

            if (known is not null && added != known)
            {
                throw new MlopsException(ErrorCodes.DataDiffersFromPointer, new SourceLocation(sourcePath), $"'{sourcePath}' changed while it was being added", "Run the command again once nothing writes to the file");
            }

            Commit(temporary, added);
            return added;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Stores a download as object <paramref name="expected"/>: <paramref name="download"/> fills a
    /// temporary file, in ranges and in any order if it likes, while the bytes are hashed in order; the
    /// object appears only if they hash right. Returns false, storing nothing, if they do not.
    /// </summary>
    public async Task<bool> AddVerifiedAsync(ContentId expected, long? expectedSize, Func<IDownloadTarget, CancellationToken, Task<bool>> download, CancellationToken cancellation)
    {
        var temporary = TemporaryPath();
        try
        {
            bool found;
            string? actual;
            using (var target = new HashingFileTarget(temporary, expectedSize, expected.Algorithm))
            {
                found = await download(target, cancellation);
                actual = target.Hash();
            }

            if (!found)
            {
                throw new MlopsException(ErrorCodes.ObjectMissing, new SourceLocation(ObjectPath(expected)), $"object {expected.Short} is not on the remote", "Push it from a machine that has it ('mlops data push')");
            }

            if (actual != expected.Hash)
            {
                return false;
            }

            Commit(temporary, expected);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Stores a download as SHA-256 object <paramref name="expectedHash"/> (recorded metrics, run-cache outputs).</summary>
    public Task<bool> AddVerifiedAsync(string expectedHash, long? expectedSize, Func<IDownloadTarget, CancellationToken, Task<bool>> download, CancellationToken cancellation) =>
        AddVerifiedAsync(ContentId.Sha256(expectedHash), expectedSize, download, cancellation);

    /// <summary>
    /// Re-hashes an object; true if its bytes still match its name. An object this instance hashed in
    /// the last few minutes (writing it, or verifying it) is not read again while its size, times and
    /// inode are the same: a pull verifies each object as it arrives, and checking it out right after
    /// would read the same bytes back from the page cache, which cannot find a fault on the disk, only a
    /// change to the file, which its stat shows (objects are read-only, so a change is a rename or a
    /// chmod and a write).
    /// </summary>
    public bool Verify(ContentId id)
    {
        var path = ObjectPath(id);
        if (hashedHere.TryGetValue(id, out var known) && Environment.TickCount64 - known.HashedAt < (long)HashedRecentlyFor.TotalMilliseconds && FileStat.Of(path) == known.Stat)
        {
            return true;
        }

        var before = FileStat.Of(path);
        if (before is null || ContentHash.OfFile(path, id.Algorithm) != id.Hash)
        {
            hashedHere.TryRemove(id, out _);
            return false;
        }

        Remember(id, before.Value);
        return true;
    }

    public bool Verify(string sha256) => Verify(ContentId.Sha256(sha256));

    /// <summary>Checks an object before use: BM5008 if it is corrupt (it is then moved aside, not used).</summary>
    public void RequireIntact(ContentId id, SourceLocation user)
    {
        if (!Contains(id))
        {
            throw new MlopsException(ErrorCodes.ObjectMissing, user, $"object {id.Short} is not in the cache ({Root})", "Pull it with 'mlops data pull', or add the data again with 'mlops data add'");
        }

        if (!Verify(id))
        {
            Quarantine(id);
            throw new MlopsException(ErrorCodes.CacheObjectCorrupt, user, $"cache object {id.Short} is corrupt (its bytes no longer hash to its name); it was moved aside", "Pull it again with 'mlops data pull', or add the data again with 'mlops data add'");
        }
    }

    /// <summary>Moves a corrupt object out of the way, into the cache's quarantine folder.</summary>
    public void Quarantine(ContentId id)
    {
        var quarantine = Path.Combine(Root, "quarantine");
        Directory.CreateDirectory(quarantine);
        var path = ObjectPath(id);
        hashedHere.TryRemove(id, out _);
        if (File.Exists(path))
        {
            File.Move(path, Path.Combine(quarantine, $"{id.Algorithm.Name()}-{id.Hash}.{Guid.NewGuid():N}"), overwrite: true);
        }
    }

    /// <summary>
    /// Places object <paramref name="id"/> at <paramref name="destination"/> with the first link type
    /// that works, replacing what is there in one rename. The object is verified first.
    /// </summary>
    public LinkType Checkout(ContentId id, string destination, IReadOnlyList<LinkType> linkTypes, SourceLocation user)
    {
        RequireIntact(id, user);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temporary = IO.AtomicFile.TemporaryPathFor(destination);
        try
        {
            foreach (var type in linkTypes)
            {
                if (TryPlace(type, ObjectPath(id), temporary))
                {
                    File.Move(temporary, destination, overwrite: true);
                    return type;
                }
            }

            throw new InvalidOperationException("no link type worked, not even copy");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Every object in the cache, of every algorithm.</summary>
    public IEnumerable<ContentId> AllObjects()
    {
        foreach (var algorithm in ContentHashAlgorithms.All)
        {
            var files = Path.Combine(Root, RemoteKeys.Objects(algorithm).Replace('/', Path.DirectorySeparatorChar));
            if (!Directory.Exists(files))
            {
                continue;
            }

            foreach (var shard in Directory.EnumerateDirectories(files))
            {
                foreach (var file in Directory.EnumerateFiles(shard))
                {
                    var name = Path.GetFileName(shard) + Path.GetFileName(file);
                    if (ContentId.IsHex(name))
                    {
                        yield return new ContentId(algorithm, name);
                    }
                }
            }
        }
    }

    private static bool TryPlace(LinkType type, string objectPath, string temporary)
    {
        try
        {
            switch (type)
            {
                case LinkType.Reflink:
                    return Reflink.TryClone(objectPath, temporary);
                case LinkType.Hardlink:
                    return HardLink.TryCreate(objectPath, temporary);
                default:
                    File.Copy(objectPath, temporary);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                    }

                    return true;
            }
        }
        catch (IOException)
        {
            File.Delete(temporary);
            return false;
        }
    }

    private void Commit(string temporary, ContentId id)
    {
        var path = ObjectPath(id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!OperatingSystem.IsWindows())
        {
            // Read-only: a hard-linked workspace file cannot be edited in place into a corrupt object.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.Move(temporary, path, overwrite: true);
        if (FileStat.Of(path) is { } stat)
        {
            Remember(id, stat);
        }
    }

    /// <summary>Notes that the object's bytes hashed right while the file had <paramref name="stat"/>.</summary>
    private void Remember(ContentId id, FileStat stat) => hashedHere[id] = (stat, Environment.TickCount64);

    private string TemporaryPath()
    {
        var directory = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }

    private static string CopyHashing(Stream source, Stream target, ContentHashAlgorithm algorithm)
    {
        using var hash = new ContentHasher(algorithm);
        // Pooled, and the streams unbuffered: one large buffer per file would churn the large-object heap.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ContentHash.BufferSize);
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, ContentHash.BufferSize)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                target.Write(buffer, 0, read);
            }

            target.Flush();
            return hash.HashAndReset();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
