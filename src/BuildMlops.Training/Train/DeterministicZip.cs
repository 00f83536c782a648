using System.IO.Compression;

namespace BuildMlops.Train;

/// <summary>
/// ML.NET stamps the save time into every entry of model.zip. This rewrites the archive with the
/// entries in their original order and one fixed timestamp, so equal models are equal bytes.
/// </summary>
public static class DeterministicZip
{
    /// <summary>1980-01-01, the earliest time a zip entry can hold.</summary>
    public static readonly DateTimeOffset FixedTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Normalize(Stream source, Stream destination)
    {
        using var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        using var output = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in input.Entries)
        {
            var copy = output.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = FixedTimestamp;
            copy.ExternalAttributes = 0;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }
}
