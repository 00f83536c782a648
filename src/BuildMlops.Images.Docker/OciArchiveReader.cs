using System.Formats.Tar;

namespace BuildMlops.Images.Docker;

/// <summary>
/// An OCI image layout packed in a tar (what <see cref="ImageBuilder"/> writes as image.tar), read in place:
/// one pass lists the entries, and an entry is then read straight from the file by skipping to it, so nothing
/// is extracted and no layer is held in memory. One entry is open at a time: they share the file.
/// </summary>
internal sealed class OciArchiveReader : IDisposable
{
    /// <summary>index.json, manifests and configs are small; a larger one is not what it claims to be.</summary>
    private const long MaxJsonBytes = 16 << 20;

    private readonly FileStream file;
    private readonly Dictionary<string, (int Ordinal, long Length)> entries;

    private OciArchiveReader(string path, FileStream file, Dictionary<string, (int, long)> entries)
    {
        Path = path;
        this.file = file;
        this.entries = entries;
    }

    public string Path { get; }

    /// <summary>Lists the tar's regular files; throws <see cref="InvalidDataException"/> when it is no OCI layout tar.</summary>
    public static OciArchiveReader Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var entries = ListFiles(file, fullPath);
            if (!entries.ContainsKey("oci-layout") || !entries.ContainsKey("index.json"))
            {
                throw new InvalidDataException($"{fullPath} is not an OCI image layout tar: it has no oci-layout and index.json at its root");
            }

            return new OciArchiveReader(fullPath, file, entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A small JSON file of the layout (index.json) as bytes.</summary>
    public byte[] ReadFile(string name)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            throw new InvalidDataException($"{Path} has no {name}");
        }

        if (entry.Length > MaxJsonBytes)
        {
            throw new InvalidDataException($"{name} in {Path} is {entry.Length} bytes, too large for a JSON file of an image layout");
        }

        using var data = OpenEntry(entry.Ordinal, out var reader);
        using (reader)
        {
            var bytes = new byte[entry.Length];
            data.ReadExactly(bytes);
            return bytes;
        }
    }

    /// <summary>A small blob (manifest, config), read whole and checked against its descriptor.</summary>
    public byte[] ReadBlob(string digest, long size)
    {
        if (size > MaxJsonBytes)
        {
            throw new InvalidDataException($"the blob {digest} in {Path} is {size} bytes, too large for a manifest or config");
        }

        using var stream = OpenBlob(digest, size);
        using var buffer = new MemoryStream((int)size);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>A blob to read through to its end, which checks its digest and size on the way.</summary>
    public Stream OpenBlob(string digest, long size)
    {
        var name = BlobName(digest);
        if (!entries.TryGetValue(name, out var entry))
        {
            throw new InvalidDataException($"{Path} has no blob {digest} ({name}), which the image refers to");
        }

        if (entry.Length != size)
        {
            throw new InvalidDataException($"the blob {digest} in {Path} is {entry.Length} bytes, not {size} as its descriptor says: the image tar is damaged");
        }

        var data = OpenEntry(entry.Ordinal, out var reader);
        return new VerifyingReadStream(data, digest, size, $"the blob {name} in {Path}", reader);
    }

    /// <summary>blobs/sha256/HEX for a "sha256:HEX" digest; other algorithms and malformed digests are refused.</summary>
    public static string BlobName(string digest)
    {
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : "";
        if (hex.Length != 64 || !hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            throw new InvalidDataException($"'{digest}' is not a sha256 digest");
        }

        return "blobs/sha256/" + hex;
    }

    public void Dispose() => file.Dispose();

    /// <summary>Skips to entry <paramref name="ordinal"/>; seeking past the data of the ones before it, as TarReader does on a seekable file.</summary>
    private Stream OpenEntry(int ordinal, out TarReader reader)
    {
        file.Position = 0;
        reader = new TarReader(file, leaveOpen: true);
        TarEntry? entry = null;
        for (var i = 0; i <= ordinal; i++)
        {
            entry = reader.GetNextEntry() ?? throw new InvalidDataException($"{Path} changed while it was read");
        }

        return entry!.DataStream ?? Stream.Null;
    }

    private static Dictionary<string, (int, long)> ListFiles(FileStream file, string path)
    {
        var entries = new Dictionary<string, (int, long)>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(file, leaveOpen: true);
            var ordinal = 0;
            for (var entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry(), ordinal++)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    // Tars made with "tar -C layout ." name entries ./index.json; a later duplicate wins, as on extraction.
                    entries[Normalize(entry.Name)] = (ordinal, entry.Length);
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a readable tar: {exception.Message}", exception);
        }

        return entries;
    }

    private static string Normalize(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name;
    }
}
