using System.Runtime.InteropServices;

namespace BuildMlops.Cache;

/// <summary>link(2): a second name for a file. Fails across file systems, and where hard links are unsupported.</summary>
internal static class HardLink
{
    public static bool TryCreate(string existing, string newPath) =>
        !OperatingSystem.IsWindows() && link(existing, newPath) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}
