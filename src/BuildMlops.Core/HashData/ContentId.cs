namespace BuildMlops.HashData;

/// <summary>
/// What names one object in the cache and on remotes: the algorithm and the lower-case hex hash.
/// Its <see cref="Reference"/> is how other files record it: a bare hash is SHA-256 (as every lock
/// file and run record written before BLAKE3 has it), any other algorithm is named, as in
/// <c>blake3:af13…</c>, the way OCI digests name theirs.
/// </summary>
public readonly record struct ContentId(ContentHashAlgorithm Algorithm, string Hash)
{
    public static ContentId Sha256(string hash) => new(ContentHashAlgorithm.Sha256, hash);

    /// <summary>The hash alone for SHA-256, <c>algorithm:hash</c> for any other.</summary>
    public string Reference => Algorithm == ContentHashAlgorithm.Sha256 ? Hash : $"{Algorithm.Name()}:{Hash}";

    /// <summary>The first twelve digits, with the algorithm when it is not SHA-256: for messages.</summary>
    public string Short => Algorithm == ContentHashAlgorithm.Sha256 ? Hash[..12] : $"{Algorithm.Name()}:{Hash[..12]}";

    /// <summary>Reads a <see cref="Reference"/>; false if it is neither a 64-digit hash nor <c>algorithm:hash</c>.</summary>
    public static bool TryParse(string reference, out ContentId id)
    {
        id = default;
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        var algorithm = ContentHashAlgorithm.Sha256;
        if (colon >= 0 && (!ContentHashAlgorithms.TryParse(reference[..colon], out algorithm) || algorithm == ContentHashAlgorithm.Sha256))
        {
            // "sha256:" is never written (a bare hash is), so it is not accepted either: one spelling per id.
            return false;
        }

        var hash = reference[(colon + 1)..];
        if (!IsHex(hash))
        {
            return false;
        }

        id = new ContentId(algorithm, hash);
        return true;
    }

    /// <summary>
    /// A recorded value cut for a message: a reference as <see cref="Short"/> (so <c>blake3:</c> keeps its twelve
    /// digits), anything else to its first twelve characters.
    /// </summary>
    public static string Abbreviate(string value) =>
        TryParse(value, out var id) ? id.Short : value.Length > 12 ? value[..12] : value;

    /// <summary>Both algorithms give 32 bytes: 64 lower-case hex digits.</summary>
    public static bool IsHex(string hash) => hash.Length == 64 && hash.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public override string ToString() => Reference;
}
