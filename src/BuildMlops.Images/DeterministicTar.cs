using System.Formats.Tar;
using System.Text;

namespace BuildMlops.Images;

/// <summary>One entry of a deterministic tar: a name relative to the root, without a leading '/'.</summary>
internal sealed record TarItem(string Name, bool IsDirectory, bool Executable, Func<Stream>? Open);

/// <summary>
/// Writes tars whose bytes depend only on the names, the contents and one timestamp: entries sorted
/// by name (ordinal), every parent directory present, uid/gid 0 with empty user and group names,
/// modes 0755 (directories, executables) or 0644, the same mtime everywhere. Entries are ustar;
/// only a name that ustar cannot hold (too long, not ASCII) gets a PAX header, holding just "path".
/// </summary>
internal static class DeterministicTar
{
    private const UnixFileMode Directory755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The entries plus every missing parent directory, sorted; duplicates and a file used as a directory are errors.</summary>
    public static IReadOnlyList<TarItem> Complete(IEnumerable<TarItem> items)
    {
        var byName = new Dictionary<string, TarItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!byName.TryAdd(item.Name, item))
            {
                if (!(item.IsDirectory && byName[item.Name].IsDirectory))
                {
                    throw new ArgumentException($"'/{item.Name}' is in the layer twice");
                }
            }
        }

        foreach (var name in byName.Keys.ToList())
        {
            for (var slash = name.LastIndexOf('/'); slash > 0; slash = name.LastIndexOf('/', slash - 1))
            {
                var parent = name[..slash];
                if (byName.TryGetValue(parent, out var existing))
                {
                    if (!existing.IsDirectory)
                    {
                        throw new ArgumentException($"'/{parent}' is a file in the layer, but '/{name}' is below it");
                    }

                    break;
                }

                byName[parent] = new TarItem(parent, IsDirectory: true, Executable: true, Open: null);
            }
        }

        return byName.Values.OrderBy(item => item.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes the items (already <see cref="Complete"/>d) to <paramref name="output"/>, leaving it open.</summary>
    public static void Write(Stream output, IReadOnlyList<TarItem> items, DateTimeOffset mtime)
    {
        using var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        foreach (var item in items)
        {
            var name = item.IsDirectory ? item.Name + "/" : item.Name;
            var type = item.IsDirectory ? TarEntryType.Directory : TarEntryType.RegularFile;
            TarEntry entry = FitsUstar(name)
                ? new UstarTarEntry(type, name)
                : new PaxTarEntry(type, name, new Dictionary<string, string> { ["path"] = name });
            entry.Mode = item.IsDirectory || item.Executable ? Directory755 : File644;
            entry.ModificationTime = mtime;
            entry.Uid = 0;
            entry.Gid = 0;
            if (entry is PosixTarEntry posix)
            {
                posix.UserName = "";
                posix.GroupName = "";
            }

            if (item.IsDirectory)
            {
                writer.WriteEntry(entry);
                continue;
            }

            using var data = item.Open!();
            entry.DataStream = data;
            writer.WriteEntry(entry);
        }
    }

    /// <summary>Whether ustar's 100-byte name plus 155-byte prefix (split at a '/') holds the name, in ASCII.</summary>
    private static bool FitsUstar(string name)
    {
        if (name.Any(c => c > 0x7e || c < 0x20))
        {
            return false;
        }

        var length = Encoding.ASCII.GetByteCount(name);
        if (length <= 100)
        {
            return true;
        }

        // The .NET ustar writer splits at the first '/' that leaves a name of at most 100 bytes.
        for (var slash = name.IndexOf('/'); slash >= 0 && slash < name.Length - 1; slash = name.IndexOf('/', slash + 1))
        {
            if (length - slash - 1 <= 100)
            {
                return slash <= 155;
            }
        }

        return false;
    }
}
