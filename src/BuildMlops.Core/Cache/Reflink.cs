using System.Runtime.InteropServices;

namespace BuildMlops.Cache;

/// <summary>Copy-on-write clones through Linux's FICLONE ioctl; false where the file system cannot.</summary>
internal static class Reflink
{
    private const ulong FiClone = 0x40049409;

    public static bool TryClone(string source, string destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var to = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        if (ioctl((int)to.SafeFileHandle.DangerousGetHandle(), FiClone, (int)from.SafeFileHandle.DangerousGetHandle()) == 0)
        {
            return true;
        }

        to.Dispose();
        File.Delete(destination);
        return false;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, int sourceFd);
}
