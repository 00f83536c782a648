using BuildMlops.Diagnostics;

namespace BuildMlops.DataVersioning;

/// <summary>
/// A lock on the cache: shared for adds, pulls, pushes and builds (objects are added atomically, so
/// they may run together), exclusive for gc (which must not delete what another process is about to
/// reference). A held lock is waited for, not failed on; only a long wait ends in BM5010.
/// </summary>
public sealed class CacheLock : IDisposable
{
    private readonly FileStream _stream;

    private CacheLock(FileStream stream) => _stream = stream;

    public static CacheLock Shared(string cacheRoot, TimeSpan? timeout = null) => Acquire(cacheRoot, FileShare.ReadWrite, FileAccess.Read, timeout);

    public static CacheLock Exclusive(string cacheRoot, TimeSpan? timeout = null) => Acquire(cacheRoot, FileShare.None, FileAccess.ReadWrite, timeout);

    public void Dispose() => _stream.Dispose();

    private static CacheLock Acquire(string cacheRoot, FileShare share, FileAccess access, TimeSpan? timeout)
    {
        Directory.CreateDirectory(cacheRoot);
        var path = Path.Combine(cacheRoot, "lock");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10));
        var delay = 10;
        while (true)
        {
            try
            {
                // .NET takes flock(2) for FileShare: None is exclusive, Read/ReadWrite shared.
                return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, access == FileAccess.Read ? FileAccess.ReadWrite : access, share));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 500);
            }
            catch (IOException)
            {
                throw new MlopsException(ErrorCodes.LockTimeout, new SourceLocation(path), "the cache stayed locked by another process", "Wait for the other mlops command or build to finish, then run this again");
            }
        }
    }
}
