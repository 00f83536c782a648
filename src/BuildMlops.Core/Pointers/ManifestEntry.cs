namespace BuildMlops.Pointers;

/// <summary>One file of a tracked directory: its path relative to the directory, hash and size.</summary>
public sealed class ManifestEntry
{
    public string Path { get; set; } = "";

    public string Hash { get; set; } = "";

    public long Size { get; set; }
}
