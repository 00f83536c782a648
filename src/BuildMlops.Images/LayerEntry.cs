namespace BuildMlops.Images;

/// <summary>
/// One file or directory of a layer: where it goes in the image, where its bytes come from (a file
/// or an array), and whether it is executable. Nothing else of the source file is kept: its owner,
/// permissions and times never reach the image. Modes are normalized: 0755 for directories and
/// executables, 0644 for every other file; owner and group are 0 with empty names.
/// </summary>
public sealed class LayerEntry
{
    private LayerEntry(string path, string? sourceFile, byte[]? content, bool executable, bool isDirectory)
    {
        Path = ImagePath.Normalize(path);
        SourceFile = sourceFile is null ? null : System.IO.Path.GetFullPath(sourceFile);
        Content = content;
        Executable = executable;
        IsDirectory = isDirectory;
    }

    /// <summary>The absolute path in the image, normalized: "/app/model/model.zip".</summary>
    public string Path { get; }

    /// <summary>The file the bytes are read from at build time, or null.</summary>
    public string? SourceFile { get; }

    /// <summary>The bytes themselves, or null.</summary>
    public byte[]? Content { get; }

    /// <summary>Mode 0755 rather than 0644 (directories are always 0755).</summary>
    public bool Executable { get; }

    /// <summary>An (empty) directory entry; parent directories of files need no entry of their own.</summary>
    public bool IsDirectory { get; }

    public static LayerEntry FromFile(string imagePath, string sourceFile, bool executable = false) =>
        new(imagePath, sourceFile, null, executable, false);

    public static LayerEntry FromBytes(string imagePath, byte[] content, bool executable = false) =>
        new(imagePath, null, content, executable, false);

    public static LayerEntry Directory(string imagePath) => new(imagePath, null, null, false, true);

    /// <summary>
    /// Every file and empty directory under <paramref name="sourceDirectory"/>, placed under
    /// <paramref name="imageDirectory"/>. A file is executable when <paramref name="isExecutable"/>
    /// says so for its path relative to the source directory ('/' separated); the source file's own
    /// permission bits are ignored, so a checkout with different permissions builds the same image.
    /// </summary>
    public static IReadOnlyList<LayerEntry> FromDirectory(string sourceDirectory, string imageDirectory, Func<string, bool>? isExecutable = null)
    {
        var root = new DirectoryInfo(System.IO.Path.GetFullPath(sourceDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"the directory {root.FullName} does not exist");
        }

        var imageRoot = ImagePath.Normalize(imageDirectory);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        var entries = new List<LayerEntry>();
        foreach (var info in root.EnumerateFileSystemInfos("*", options))
        {
            var relative = System.IO.Path.GetRelativePath(root.FullName, info.FullName).Replace(System.IO.Path.DirectorySeparatorChar, '/');
            var imagePath = imageRoot.TrimEnd('/') + "/" + relative;
            if (info is DirectoryInfo directory)
            {
                if (!directory.EnumerateFileSystemInfos().Any())
                {
                    entries.Add(Directory(imagePath));
                }
            }
            else
            {
                entries.Add(FromFile(imagePath, info.FullName, isExecutable?.Invoke(relative) ?? false));
            }
        }

        return entries;
    }

    internal Stream OpenRead() =>
        Content is not null ? new MemoryStream(Content, writable: false)
        : SourceFile is not null ? new FileStream(SourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)
        : throw new InvalidOperationException($"{Path} is a directory");

    public override string ToString() => Path;
}

/// <summary>Absolute, '/'-separated paths in an image.</summary>
internal static class ImagePath
{
    public static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"'{path}' is not an absolute path in the image (it must start with '/')", nameof(path));
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw new ArgumentException("'/' itself cannot be a layer entry", nameof(path));
        }

        foreach (var segment in segments)
        {
            if (segment is "." or ".." || segment.Contains('\0') || segment.Contains('\\'))
            {
                throw new ArgumentException($"'{path}' has a '.', '..', NUL or backslash segment", nameof(path));
            }
        }

        return "/" + string.Join('/', segments);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> or below it.</summary>
    public static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);
}
