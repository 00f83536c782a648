using BuildMlops.HashData;

namespace BuildMlops.Remotes;

/// <summary>The layout of objects in the cache and on remotes; the same on both, so either can seed the other.</summary>
public static class RemoteKeys
{
    /// <summary>
    /// A content object: <c>files/blake3/ab/cdef…</c> or <c>files/sha256/ab/cdef…</c> (the first two hex
    /// digits shard the folder). The algorithm is part of the key, so both kinds live side by side.
    /// </summary>
    public static string Object(ContentId id) => $"{ObjectFolder(id)}{id.Hash[2..]}";

    /// <summary>The folder of a content object, <c>files/blake3/ab/</c>: one of 256, so listing one never lists them all.</summary>
    public static string ObjectFolder(ContentId id) => $"{Objects(id.Algorithm)}{id.Hash[..2]}/";

    /// <summary>The folder holding every object of one algorithm, <c>files/blake3/</c>.</summary>
    public static string Objects(ContentHashAlgorithm algorithm) => $"files/{algorithm.Name()}/";

    /// <summary>A SHA-256 object, as run-cache outputs and recorded metrics are named.</summary>
    public static string Object(string sha256) => Object(ContentId.Sha256(sha256));

    /// <summary>A run-cache record of one step: <c>runs/train/&lt;fingerprint&gt;.json</c>.</summary>
    public static string Run(string step, string fingerprint) => $"runs/{step}/{fingerprint}.json";
}
