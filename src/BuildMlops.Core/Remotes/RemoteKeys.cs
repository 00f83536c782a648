namespace BuildMlops.Remotes;

/// <summary>The layout of objects in the cache and on remotes; the same on both, so either can seed the other.</summary>
public static class RemoteKeys
{
    /// <summary>A content object: <c>files/sha256/ab/cdef…</c> (the first two hex digits shard the folder).</summary>
    public static string Object(string sha256) => $"{ObjectFolder(sha256)}{sha256[2..]}";

    /// <summary>The folder of a content object, <c>files/sha256/ab/</c>: one of 256, so listing one never lists them all.</summary>
    public static string ObjectFolder(string sha256) => $"files/sha256/{sha256[..2]}/";

    /// <summary>A run-cache record of one step: <c>runs/train/&lt;fingerprint&gt;.json</c>.</summary>
    public static string Run(string step, string fingerprint) => $"runs/{step}/{fingerprint}.json";
}
