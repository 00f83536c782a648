using System.Runtime.InteropServices;

namespace BuildMlops.HashData;

/// <summary>
/// What the stat cache compares: size, modification and change times in nanoseconds, and the file's
/// identity (device and inode). A file replaced by another (a rename over it, a checkout) has a new
/// inode even if size and times match. On Linux this is one statx(2) call; elsewhere FileInfo.
/// </summary>
public readonly partial record struct FileStat(long Size, long ModifiedNanoseconds, long ChangedNanoseconds, ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>Stats a file; null if it does not exist.</summary>
    public static FileStat? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = default(Statx);
            if (statx(AtFdCwd, path, 0, StatxBasicStats, ref buffer) != 0)
            {
                return null;
            }

            return new FileStat(
                (long)buffer.Size,
                (buffer.Mtime.Seconds * 1_000_000_000) + buffer.Mtime.Nanoseconds,
                (buffer.Ctime.Seconds * 1_000_000_000) + buffer.Ctime.Nanoseconds,
                ((ulong)buffer.DevMajor << 32) | buffer.DevMinor,
                buffer.Ino);
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var modified = (info.LastWriteTimeUtc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        return new FileStat(info.Length, modified, modified, 0, 0);
    }

    // LibraryImport, not DllImport: the marshalling (the path to UTF-8 on the stack) is generated at compile
    // time, so ReadyToRun code covers it and the runtime builds no IL stub; a status stats every tracked file.
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref Statx buffer);

    [StructLayout(LayoutKind.Sequential)]
    private struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
    }

    // struct statx from linux/stat.h: the same layout on every Linux architecture.
    [StructLayout(LayoutKind.Sequential)]
    private struct Statx
    {
        public uint Mask;
        public uint Blksize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        public ulong MntId;
        public uint DioMemAlign;
        public uint DioOffsetAlign;
        public ulong Spare1;
        public ulong Spare2;
        public ulong Spare3;
        public ulong Spare4;
        public ulong Spare5;
        public ulong Spare6;
        public ulong Spare7;
        public ulong Spare8;
        public ulong Spare9;
        public ulong Spare10;
        public ulong Spare11;
        public ulong Spare12;
    }
}
