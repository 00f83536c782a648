using BuildMlops.DataVersioning;
using BuildMlops.Diagnostics;
using BuildMlops.IO;
using BuildMlops.Pointers;
using BuildMlops.Remotes;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Pipeline;

/// <summary>
/// Data a model project declares through a pointer file: before hashing, the workspace must hold what
/// the pointer names. Missing data is checked out from the cache, pulling what the cache lacks from
/// the default remote. The data's hash is the pointer's, as a <see cref="HashData.ContentId.Reference"/>
/// (<c>blake3:…</c>, or a bare SHA-256 for older pointers): a build never re-reads tracked data that the
/// stat cache vouches for.
/// </summary>
public static class TrackedData
{
    /// <summary>The hash and size the pointer records, without looking at the workspace.</summary>
    public static (string Hash, long Size, bool Fetched) Recorded(DataFile file)
    {
        var pointer = PointerFile.Load(file.PointerPath!, MlopsRepository.Discover(file.PointerPath!));
        return (pointer.Id.Reference, pointer.Size, false);
    }

    /// <summary>Ensures the workspace holds the pointer's data; returns its hash, size, and whether it was fetched.</summary>
    public static (string Hash, long Size, bool Fetched) Ensure(ModelSpec spec, DataFile file, IMlopsLog log)
    {
        var repository = MlopsRepository.Discover(file.PointerPath!);
        var workspace = new DataWorkspace(repository, log);
        var status = workspace.Status(file.PointerPath!);
        var pointer = workspace.LoadPointer(file.PointerPath!);
        switch (status.State)
        {
            case DataState.UpToDate:
                return (pointer.Id.Reference, pointer.Size, false);
            case DataState.Modified:
                throw new MlopsException(
                    ErrorCodes.DataDiffersFromPointer,
                    ProjectFileLocator.Item(spec.ProjectFile, SettingNames.DataItem, file.Name + PointerFile.Extension),
                    $"'{file.Name}' differs from what '{file.Name}{PointerFile.Extension}' records",
                    "Record the new data with 'mlops data add', or restore the recorded version with 'mlops data checkout --force'");
        }

        if (!status.InCache)
        {
            var name = repository.Config.DefaultRemote;
            if (name is null)
            {
                throw new MlopsException(ErrorCodes.ObjectMissing, new SourceLocation(file.PointerPath!), $"'{file.Name}' is neither in the workspace nor in the cache, and no default remote is configured", "Add the team's remote with 'mlops remote add --default <name> <url>', or run 'mlops data add' where the data is");
            }

            if (!RemoteRegistry.CanOpen(repository.Config.Remotes[name]))
            {
                throw new RemoteNeededException(name);
            }

            using var remote = RemoteRegistry.Open(repository, name);
            using var cacheLock = DirectoryLock.Shared(workspace.Cache.Root);
            Task.Run(() => new DataTransfer(workspace.Cache, remote, log, 8).PullAsync(pointer.Objects(), CancellationToken.None)).GetAwaiter().GetResult();
        }

        workspace.Checkout(file.PointerPath!, force: false);
        return (pointer.Id.Reference, pointer.Size, true);
    }
}

/// <summary>Raised where the data must come from a remote this process cannot open (S3 inside MSBuild): the worker does it.</summary>
public sealed class RemoteNeededException(string remote) : Exception($"remote '{remote}' is opened by the mlops worker")
{
    public string Remote { get; } = remote;
}
