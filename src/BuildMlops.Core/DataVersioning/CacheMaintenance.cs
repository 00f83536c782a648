using System.Collections.Concurrent;
using System.Diagnostics;
using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.IO;
using BuildMlops.Pipeline;
using BuildMlops.Pointers;
using BuildMlops.RunCache;

namespace BuildMlops.DataVersioning;

/// <summary><c>mlops data gc</c> and <c>mlops data fsck</c>: keeping the cache small and sound.</summary>
public sealed class CacheMaintenance(DataWorkspace workspace, IMlopsLog log)
{
    /// <summary>
    /// Deletes every object nothing references: kept are the objects of the workspace's pointer files
    /// (with <paramref name="allCommits"/>, of every pointer file in every commit of the git history)
    /// and of the run cache. Holds the cache exclusively, so no build or transfer adds a reference meanwhile.
    /// </summary>
    public (int Removed, long Bytes, int Kept) CollectGarbage(bool allCommits)
    {
        using var cacheLock = DirectoryLock.Exclusive(workspace.Cache.Root);
        var keep = new HashSet<ContentId>();
        foreach (var pointerPath in workspace.FindPointers())
        {
            keep.UnionWith(workspace.LoadPointer(pointerPath).Objects().Select(item => item.Id));
        }

        if (allCommits)
        {
            foreach (var pointer in PointersInHistory())
            {
                keep.UnionWith(pointer.Objects().Select(item => item.Id));
            }
        }

        using (var runs = new StepRunCache(workspace.Repository, log))
        {
            foreach (var (_, _, record) in runs.LocalRuns())
            {
                keep.UnionWith(record.Outs.Values.Select(output => ContentId.Sha256(output.Sha256)));
            }
        }

        var removed = 0;
        long bytes = 0;
        foreach (var id in workspace.Cache.AllObjects().ToList())
        {
            if (keep.Contains(id))
            {
                continue;
            }

            var path = workspace.Cache.ObjectPath(id);
            bytes += new FileInfo(path).Length;
            File.Delete(path);
            removed++;
        }

        // Holding the cache exclusively, no transfer is writing: what is left in tmp/ is from killed processes.
        var scratch = Path.Combine(workspace.Cache.Root, "tmp");
        if (Directory.Exists(scratch))
        {
            foreach (var leftover in Directory.GetFiles(scratch))
            {
                bytes += new FileInfo(leftover).Length;
                File.Delete(leftover);
            }
        }

        log.Important($"removed {removed} unreferenced object{(removed == 1 ? "" : "s")} and any leftovers of killed transfers ({bytes:N0} bytes); kept {keep.Count}");
        return (removed, bytes, keep.Count);
    }

    /// <summary>Re-hashes every object; returns the corrupt ones (moved to quarantine when <paramref name="repair"/>).</summary>
    public IReadOnlyList<ContentId> Check(bool repair)
    {
        using var cacheLock = DirectoryLock.Shared(workspace.Cache.Root);
        var corrupt = new ConcurrentBag<ContentId>();
        var objects = workspace.Cache.AllObjects().ToList();
        Parallel.ForEach(objects, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, id =>
        {
            if (!workspace.Cache.Verify(id))
            {
                corrupt.Add(id);
            }
        });

        var sorted = corrupt.OrderBy(id => id.Reference, StringComparer.Ordinal).ToList();
        foreach (var id in sorted)
        {
            // The path first: quarantine moves the object away.
            var path = workspace.Cache.ObjectPath(id);
            if (repair)
            {
                workspace.Cache.Quarantine(id);
            }

            log.Warning(ErrorCodes.CacheObjectCorrupt, new SourceLocation(path), $"object {id.Short} is corrupt{(repair ? "; moved to quarantine" : "")}");
        }

        log.Important($"checked {objects.Count} object{(objects.Count == 1 ? "" : "s")}: {sorted.Count} corrupt");
        return sorted;
    }

    private IEnumerable<PointerFile> PointersInHistory()
    {
        var root = workspace.Repository.Root;
        foreach (var commit in Git(root, "rev-list", "--all"))
        {
            foreach (var path in Git(root, "ls-tree", "-r", "--name-only", commit).Where(path => path.EndsWith(PointerFile.Extension, StringComparison.Ordinal)))
            {
                if (PointerFile.TryParse(string.Join("\n", Git(root, "show", $"{commit}:{path}"))) is { } pointer)
                {
                    yield return pointer;
                }
            }
        }
    }

    private static List<string> Git(string root, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new MlopsException(ErrorCodes.BadConfig, new SourceLocation(root), $"git {string.Join(" ", arguments)} failed: {process.StandardError.ReadToEnd().Trim()}", "Run --all-commits inside a git repository");
        }

        return lines;
    }
}
