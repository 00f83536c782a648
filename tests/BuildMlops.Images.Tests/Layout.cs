using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace BuildMlops.Images.Tests;

/// <summary>Reading back what the builder wrote.</summary>
internal static class Layout
{
    /// <summary>Every file of a folder, by '/'-separated relative path, with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Files(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(path => Path.GetRelativePath(directory, path).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);

    public static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    public static JsonElement Json(string layout, string digest) => JsonDocument.Parse(File.ReadAllBytes(BlobPath(layout, digest))).RootElement;

    /// <summary>The entries of a gzipped layer blob, with their data.</summary>
    public static List<(TarEntry Entry, byte[] Data)> LayerEntries(string layout, string digest)
    {
        using var file = File.OpenRead(BlobPath(layout, digest));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new List<(TarEntry, byte[])>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry, data.ToArray()));
        }

        return entries;
    }
}
