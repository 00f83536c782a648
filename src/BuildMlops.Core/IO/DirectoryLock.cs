using BuildMlops.Diagnostics;

namespace BuildMlops.IO;

/// <summary>
/// A lock on a folder, held through a <c>lock</c> file in it (flock(2) underneath). On the cache: shared
/// for adds, pulls, pushes and builds (objects are added atomically, so they may run together), exclusive
/// for gc (which must not delete what another process is about to reference). On a project's obj/mlops:
/// exclusive while a step runs, so two builds of one project never write its outputs or lock file at once.
/// A held lock is waited for, not failed on; only a long wait ends in BM5010.
/// </summary>
public sealed class DirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DirectoryLock(FileStream stream) => _stream = stream;

    public static DirectoryLock Shared(string directory, TimeSpan? timeout = null) => Acquire(directory, FileShare.ReadWrite, FileAccess.Read, timeout);

    public static DirectoryLock Exclusive(string directory, TimeSpan? timeout = null) => Acquire(directory, FileShare.None, FileAccess.ReadWrite, timeout);

    public void Dispose() => _stream.Dispose();

    private static DirectoryLock Acquire(string directory, FileShare share, FileAccess access, TimeSpan? timeout)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "lock");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10));
        var delay = 10;
        while (true)
        {
            try
            {
                // .NET takes flock(2) for FileShare: None is exclusive, Read/ReadWrite shared.
                return new DirectoryLock(new FileStream(path, FileMode.OpenOrCreate, access == FileAccess.Read ? FileAccess.ReadWrite : access, share));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 500);
            }
            catch (IOException)
            {
                throw new MlopsException(ErrorCodes.LockTimeout, new SourceLocation(path), "the folder stayed locked by another process", "Wait for the other mlops command or build to finish, then run this again");
            }
        }
    }
}
