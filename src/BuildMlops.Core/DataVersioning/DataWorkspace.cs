using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.IO;
using BuildMlops.Pipeline;
using BuildMlops.Pointers;
using BuildMlops.Repository;

namespace BuildMlops.DataVersioning;

/// <summary>
/// Tracked data in a repository's workspace: <c>mlops data add</c>, <c>status</c>, <c>checkout</c>,
/// <c>gc</c> and <c>fsck</c>. Files are hashed in parallel through a stat cache that lives in
/// <c>.mlops/tmp/</c>, so an unchanged workspace is checked without reading any data.
/// </summary>
public sealed class DataWorkspace
{
    private readonly IMlopsLog _log;

    public DataWorkspace(MlopsRepository repository, IMlopsLog log)
    {
        Repository = repository;
        _log = log;
        Cache = new ContentCache(repository.CacheDirectory);
        Hashes = FileHashCache.Load(Path.Combine(repository.MlopsDirectory, "tmp", "hash-cache.json"));
    }

    public MlopsRepository Repository { get; }

    public ContentCache Cache { get; }

    public FileHashCache Hashes { get; }

    public IReadOnlyList<LinkType> LinkTypes =>
        [.. Repository.Config.LinkTypes.Select(name => Enum.TryParse<LinkType>(name, ignoreCase: true, out var type) ? type : LinkType.Copy).Append(LinkType.Copy).Distinct()];

    /// <summary>
    /// Puts a file or directory in the cache and writes its pointer file; returns the pointer's path. The
    /// hash is <paramref name="algorithm"/> if given, else the one the existing pointer names (adding data
    /// again never changes its algorithm behind the user's back), else the configuration's.
    /// </summary>
    public string Add(string path, ContentHashAlgorithm? algorithm = null)
    {
        var full = Path.GetFullPath(path);
        var location = new SourceLocation(full);
        if (full.EndsWith(PointerFile.Extension, StringComparison.Ordinal))
        {
            throw new MlopsException(ErrorCodes.DataPathInvalid, location, "this is a pointer file, not data", $"Add the data it names: '{full[..^PointerFile.Extension.Length]}'");
        }

        var relative = Repository.RelativePath(full, location);
        if (relative.Split('/')[0] == ".mlops" || relative == ".")
        {
            throw new MlopsException(ErrorCodes.DataPathInvalid, location, "BuildMlops's own folder cannot be tracked", "Add a data file or folder of the project");
        }

        Repository.EnsureInitialized();
        var pointerPath = PointerFile.PointerPathFor(full);
        var hashWith = algorithm ?? ExistingAlgorithm(pointerPath) ?? Repository.Config.DataHashAlgorithm;
        using var cacheLock = DirectoryLock.Shared(Cache.Root);
        PointerFile pointer;
        if (File.Exists(full))
        {
            var (hash, size, _) = Hashes.Get(full, hashWith);
            Cache.Add(full, new ContentId(hashWith, hash));
            pointer = new PointerFile { Path = Path.GetFileName(full), Algorithm = hashWith.Name(), Hash = hash, Size = size };
        }
        else if (Directory.Exists(full))
        {
            var files = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Where(file => !file.EndsWith(PointerFile.Extension, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
            var hashes = Hashes.GetMany(files, hashWith);
            var manifest = new List<ManifestEntry>();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, file => Cache.Add(file, new ContentId(hashWith, hashes[file].Hash)));
            foreach (var file in files)
            {
                manifest.Add(new ManifestEntry { Path = Path.GetRelativePath(full, file).Replace('\\', '/'), Hash = hashes[file].Hash, Size = hashes[file].Size });
            }

            manifest.Sort((left, right) => string.CompareOrdinal(left.Path, right.Path));
            pointer = new PointerFile
            {
                Path = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)),
                Type = "directory",
                Algorithm = hashWith.Name(),
                Hash = PointerFile.ManifestHash(manifest, hashWith),
                Size = manifest.Sum(entry => entry.Size),
                Files = manifest.Count,
                Manifest = manifest,
            };
        }
        else
        {
            throw new MlopsException(ErrorCodes.DataFileMissing, location, "no such file or directory", "Check the path");
        }

        Hashes.Save();
        pointer.Save(pointerPath);
        GitIgnore.Add(full);
        _log.Important($"added {relative} ({pointer.Size:N0} bytes{(pointer.IsDirectory ? $", {pointer.Files} files" : "")}, {pointer.Algorithm} {pointer.Hash[..12]}); commit {Path.GetFileName(pointerPath)}");
        return pointerPath;
    }

    /// <summary>The algorithm of the pointer already at <paramref name="pointerPath"/>; null if there is none or it cannot be read.</summary>
    private ContentHashAlgorithm? ExistingAlgorithm(string pointerPath)
    {
        if (!File.Exists(pointerPath))
        {
            return null;
        }

        try
        {
            return LoadPointer(pointerPath).HashAlgorithm;
        }
        catch (MlopsException)
        {
            // A damaged pointer is what 'add' replaces: it has no algorithm to keep.
            return null;
        }
    }

    /// <summary>Every pointer file under the repository (or under <paramref name="paths"/> if given).</summary>
    public IReadOnlyList<string> FindPointers(IReadOnlyList<string>? paths = null)
    {
        if (paths is { Count: > 0 })
        {
            return [.. paths.Select(Path.GetFullPath).SelectMany(path =>
                path.EndsWith(PointerFile.Extension, StringComparison.Ordinal) ? [path]
                : File.Exists(PointerFile.PointerPathFor(path)) ? [PointerFile.PointerPathFor(path)]
                : Directory.Exists(path) ? PointersUnder(path)
                : throw new MlopsException(ErrorCodes.DataFileMissing, new SourceLocation(path), "no pointer file tracks this path", "Give a .mlops file, a tracked path, or a folder holding pointer files"))];
        }

        return PointersUnder(Repository.Root);
    }

    /// <summary>Loads a pointer file, its manifest checked only when the stat cache cannot vouch for it.</summary>
    public PointerFile LoadPointer(string pointerPath) => PointerFile.Load(pointerPath, Repository, Hashes);

    public DataStatus Status(string pointerPath)
    {
        var pointer = LoadPointer(pointerPath);
        var dataPath = pointer.DataPath(pointerPath);
        var missingObjects = Cache.CountMissing(pointer.Objects().Select(item => item.Id).ToHashSet());
        return new DataStatus(pointerPath, dataPath, StateOf(pointer, dataPath), missingObjects == 0, missingObjects);
    }

    /// <summary>
    /// Makes the workspace match a pointer from the cache. Data that differs from the pointer is kept
    /// (BM5009) unless <paramref name="force"/>. Objects are verified before they are placed.
    /// </summary>
    public bool Checkout(string pointerPath, bool force)
    {
        var pointer = LoadPointer(pointerPath);
        var dataPath = pointer.DataPath(pointerPath);
        var state = StateOf(pointer, dataPath);
        if (state == DataState.UpToDate)
        {
            return false;
        }

        if (state == DataState.Modified && !force)
        {
            throw new MlopsException(ErrorCodes.DataDiffersFromPointer, new SourceLocation(pointerPath), $"'{Repository.RelativePath(dataPath, new SourceLocation(pointerPath))}' has changes that its pointer file does not record", "Record them with 'mlops data add', or discard them with 'mlops data checkout --force'");
        }

        using var cacheLock = DirectoryLock.Shared(Cache.Root);
        var location = new SourceLocation(pointerPath);
        if (pointer.IsDirectory)
        {
            if (Directory.Exists(dataPath))
            {
                foreach (var leftover in Directory.EnumerateFiles(dataPath, "*.tmp", SearchOption.AllDirectories).Where(AtomicFile.IsTemporary).ToList())
                {
                    File.Delete(leftover);
                }
            }

            foreach (var entry in pointer.Manifest!)
            {
                var target = Path.Combine(dataPath, entry.Path.Replace('/', Path.DirectorySeparatorChar));
                var id = new ContentId(pointer.HashAlgorithm, entry.Hash);
                if (File.Exists(target) && Hashes.Get(target, id.Algorithm).Hash == entry.Hash)
                {
                    continue;
                }

                Cache.Checkout(id, target, LinkTypes, location);
                Hashes.Record(target, id);
            }
        }
        else
        {
            if (Directory.Exists(dataPath))
            {
                throw new MlopsException(ErrorCodes.DataDiffersFromPointer, location, $"'{dataPath}' is a directory but its pointer tracks a file", "Move the directory away, then check out again");
            }

            var folder = Path.GetDirectoryName(dataPath)!;
            if (Directory.Exists(folder))
            {
                foreach (var leftover in Directory.EnumerateFiles(folder, $".{Path.GetFileName(dataPath)}.*.tmp").Where(AtomicFile.IsTemporary).ToList())
                {
                    File.Delete(leftover);
                }
            }

            Cache.Checkout(pointer.Id, dataPath, LinkTypes, location);
            Hashes.Record(dataPath, pointer.Id);
        }

        // Wait one file-system clock tick, so the files just written are trusted by their stat next time.
        Hashes.Save(waitForNewTick: true);
        _log.Message($"checked out {Path.GetFileName(dataPath)}");
        return true;
    }

    /// <summary>The workspace's data state, hashing only what the stat cache cannot vouch for.</summary>
    public DataState StateOf(PointerFile pointer, string dataPath)
    {
        if (!pointer.IsDirectory)
        {
            if (!File.Exists(dataPath))
            {
                return DataState.Missing;
            }

            var (hash, _, _) = Hashes.Get(dataPath, pointer.HashAlgorithm);
            Hashes.Save();
            return hash == pointer.Hash ? DataState.UpToDate : DataState.Modified;
        }

        if (!Directory.Exists(dataPath))
        {
            return DataState.Missing;
        }

        // A checkout killed before its rename leaves a temporary file: not the user's data, and the next checkout removes it.
        var present = Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories)
            .Where(file => !file.EndsWith(PointerFile.Extension, StringComparison.Ordinal) && !AtomicFile.IsTemporary(file))
            .ToList();
        var expected = pointer.Manifest!.ToDictionary(entry => Path.Combine(dataPath, entry.Path.Replace('/', Path.DirectorySeparatorChar)), entry => entry.Hash, StringComparer.Ordinal);
        if (present.Count == 0)
        {
            return DataState.Missing;
        }

        if (present.Count != expected.Count || present.Any(file => !expected.ContainsKey(file)))
        {
            return present.Count < expected.Count && present.All(expected.ContainsKey) && present.All(file => Hashes.Get(file, pointer.HashAlgorithm).Hash == expected[file])
                ? DataState.Missing
                : DataState.Modified;
        }

        var hashes = Hashes.GetMany(present, pointer.HashAlgorithm);
        Hashes.Save();
        return present.All(file => hashes[file].Hash == expected[file]) ? DataState.UpToDate : DataState.Modified;
    }

    private List<string> PointersUnder(string root)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(directory, "*" + PointerFile.Extension))
            {
                found.Add(file);
            }

            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(child);
                if (name is ".git" or ".mlops" or "bin" or "obj" or "node_modules")
                {
                    continue;
                }

                pending.Push(child);
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
