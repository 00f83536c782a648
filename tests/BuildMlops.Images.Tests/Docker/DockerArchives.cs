using System.Formats.Tar;
using BuildMlops.Images.Docker;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>Writing docker-archives of test images to files and reading their entries back.</summary>
internal static class DockerArchives
{
    public static DockerArchive Convert(string imageTar, string archivePath, string tag = "churn:1.0.0")
    {
        using var output = new FileStream(archivePath, FileMode.Create, FileAccess.ReadWrite);
        return DockerArchiveWriter.Write(imageTar, tag, output);
    }

    /// <summary>Every entry of a tar, in order, with its data.</summary>
    public static List<(TarEntry Entry, byte[] Data)> Entries(string tarPath)
    {
        using var reader = new TarReader(File.OpenRead(tarPath));
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
