using System.Collections.Concurrent;
using System.Security.Cryptography;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Remotes;

namespace BuildMlops.Cache;

/// <summary>
/// The content-addressed cache: each object is a read-only file named by its SHA-256
/// (<c>files/sha256/ab/cdef…</c>, the same layout as remotes). Objects are only ever added by writing a
/// temporary file while hashing it and renaming it into place once the hash is known and checked, so
/// a killed process leaves at worst a temporary file, and two processes adding the same object agree.
/// Every use of an object re-hashes it first: a flipped bit is found before it reaches a workspace,
/// a remote or a build. The one exception is an object this instance hashed moments ago (it wrote it,
/// or verified it) whose file is unchanged since: see <see cref="Verify"/>.
/// </summary>
public sealed class ContentCache(string root)
{
    /// <summary>How long a hash this instance computed vouches for an unchanged object.</summary>
    private static readonly TimeSpan HashedRecentlyFor = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (FileStat Stat, long HashedAt)> hashedHere = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    public string ObjectPath(string hash) => Path.Combine(Root, RemoteKeys.Object(hash).Replace('/', Path.DirectorySeparatorChar));

    public bool Contains(string hash) => File.Exists(ObjectPath(hash));

    /// <summary>
    /// How many of <paramref name="hashes"/> (distinct) are not in the cache. Past a few dozen it lists each
    /// fan-out folder they fall in once instead of looking every object up: a no-op status of a directory
    /// of 10,000 files otherwise spends more time in those 10,000 path lookups than in anything else but
    /// starting .NET. At most 256 folders are listed however many objects there are.
    /// </summary>
    public int CountMissing(IReadOnlyCollection<string> hashes)
    {
        if (hashes.Count < ListFoldersFrom)
        {
            return hashes.Count(hash => !Contains(hash));
        }

        var missing = 0;
        foreach (var folder in hashes.GroupBy(hash => RemoteKeys.ObjectFolder(hash), StringComparer.Ordinal))
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
                missing += folder.Count(hash => !Contains(hash));
                continue;
            }

            var lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
            missing += folder.Count(hash => !lookup.Contains(hash.AsSpan(2)));
        }

        return missing;
    }

    /// <summary>Below this many objects, looking each up costs less than listing their folders.</summary>
    private const int ListFoldersFrom = 64;

    /// <summary>Copies a file into the cache (if not there yet) and returns its hash.</summary>
    public string Add(string sourcePath, string? knownHash = null)
    {
        if (knownHash is not null && Contains(knownHash))
        {
            return knownHash;
        }

        var temporary = TemporaryPath();
        string hash;
        try
        {
            using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan))
            using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                hash = CopyHashing(source, target);
            }

            if (knownHash is not null && hash != knownHash)
            {
                throw new MlopsException(ErrorCodes.DataDiffersFromPointer, new SourceLocation(sourcePath), $"'{sourcePath}' changed while it was being added", "Run the command again once nothing writes to the file");
            }

            Commit(temporary, hash);
            return hash;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Stores a download as object <paramref name="expectedHash"/>: <paramref name="download"/> fills a
    /// temporary file, in ranges and in any order if it likes, while the bytes are hashed in order; the
    /// object appears only if they hash right. Returns false, storing nothing, if they do not.
    /// </summary>
    public async Task<bool> AddVerifiedAsync(string expectedHash, long? expectedSize, Func<IDownloadTarget, CancellationToken, Task<bool>> download, CancellationToken cancellation)
    {
        var temporary = TemporaryPath();
        try
        {
            bool found;
            string? actual;
            using (var target = new HashingFileTarget(temporary, expectedSize))
            {
                found = await download(target, cancellation);
                actual = target.Hash();
            }

            if (!found)
            {
                throw new MlopsException(ErrorCodes.ObjectMissing, new SourceLocation(ObjectPath(expectedHash)), $"object {expectedHash[..12]} is not on the remote", "Push it from a machine that has it ('mlops data push')");
            }

            if (actual != expectedHash)
            {
                return false;
            }

            Commit(temporary, expectedHash);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Re-hashes an object; true if its bytes still match its name. An object this instance hashed in
    /// the last few minutes (writing it, or verifying it) is not read again while its size, times and
    /// inode are the same: a pull verifies each object as it arrives, and checking it out right after
    /// would read the same bytes back from the page cache, which cannot find a fault on the disk, only a
    /// change to the file, which its stat shows (objects are read-only, so a change is a rename or a
    /// chmod and a write).
    /// </summary>
    public bool Verify(string hash)
    {
        var path = ObjectPath(hash);
        if (hashedHere.TryGetValue(hash, out var known) && Environment.TickCount64 - known.HashedAt < (long)HashedRecentlyFor.TotalMilliseconds && FileStat.Of(path) == known.Stat)
        {
            return true;
        }

        var before = FileStat.Of(path);
        if (before is null || ContentHash.OfFile(path) != hash)
        {
            hashedHere.TryRemove(hash, out _);
            return false;
        }

        Remember(hash, before.Value);
        return true;
    }

    /// <summary>Checks an object before use: BM5008 if it is corrupt (it is then moved aside, not used).</summary>
    public void RequireIntact(string hash, SourceLocation user)
    {
        if (!Contains(hash))
        {
            throw new MlopsException(ErrorCodes.ObjectMissing, user, $"object {hash[..12]} is not in the cache ({Root})", "Pull it with 'mlops data pull', or add the data again with 'mlops data add'");
        }

        if (!Verify(hash))
        {
            Quarantine(hash);
            throw new MlopsException(ErrorCodes.CacheObjectCorrupt, user, $"cache object {hash[..12]} is corrupt (its bytes no longer hash to its name); it was moved aside", "Pull it again with 'mlops data pull', or add the data again with 'mlops data add'");
        }
    }

    /// <summary>Moves a corrupt object out of the way, into the cache's quarantine folder.</summary>
    public void Quarantine(string hash)
    {
        var quarantine = Path.Combine(Root, "quarantine");
        Directory.CreateDirectory(quarantine);
        var path = ObjectPath(hash);
        hashedHere.TryRemove(hash, out _);
        if (File.Exists(path))
        {
            File.Move(path, Path.Combine(quarantine, $"{hash}.{Guid.NewGuid():N}"), overwrite: true);
        }
    }

    /// <summary>
    /// Places object <paramref name="hash"/> at <paramref name="destination"/> with the first link type
    /// that works, replacing what is there in one rename. The object is verified first.
    /// </summary>
    public LinkType Checkout(string hash, string destination, IReadOnlyList<LinkType> linkTypes, SourceLocation user)
    {
        RequireIntact(hash, user);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temporary = IO.AtomicFile.TemporaryPathFor(destination);
        try
        {
            foreach (var type in linkTypes)
            {
                if (TryPlace(type, ObjectPath(hash), temporary))
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

    /// <summary>Every object hash in the cache.</summary>
    public IEnumerable<string> AllObjects()
    {
        var files = Path.Combine(Root, "files", "sha256");
        if (!Directory.Exists(files))
        {
            yield break;
        }

        foreach (var shard in Directory.EnumerateDirectories(files))
        {
            foreach (var file in Directory.EnumerateFiles(shard))
            {
                var name = Path.GetFileName(shard) + Path.GetFileName(file);
                if (name.Length == 64 && !name.Contains('.', StringComparison.Ordinal))
                {
                    yield return name;
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

    private void Commit(string temporary, string hash)
    {
        var path = ObjectPath(hash);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!OperatingSystem.IsWindows())
        {
            // Read-only: a hard-linked workspace file cannot be edited in place into a corrupt object.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.Move(temporary, path, overwrite: true);
        if (FileStat.Of(path) is { } stat)
        {
            Remember(hash, stat);
        }
    }

    /// <summary>Notes that the object's bytes hashed right while the file had <paramref name="stat"/>.</summary>
    private void Remember(string hash, FileStat stat) => hashedHere[hash] = (stat, Environment.TickCount64);

    private string TemporaryPath()
    {
        var directory = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }

    private static string CopyHashing(Stream source, Stream target)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Pooled, and the streams unbuffered: one large buffer per file would churn the large-object heap.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ContentHash.BufferSize);
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, ContentHash.BufferSize)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                target.Write(buffer, 0, read);
            }

            target.Flush();
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
