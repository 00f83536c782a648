namespace BuildMlops.HashData;

/// <summary>
/// The hash functions that name content. BLAKE3 names tracked data: it is a tree hash, so one large
/// file is hashed on every core with SIMD, about twice as fast as SHA-256 on two cores. SHA-256 names
/// what BuildMlops writes itself (models, metrics, lock-file outputs, OCI blobs), and data that was
/// added before BLAKE3 was the default; both are read forever.
/// </summary>
public enum ContentHashAlgorithm
{
    Sha256,
    Blake3,
}

public static class ContentHashAlgorithms
{
    /// <summary>What <c>mlops data add</c> uses for new data unless the configuration names another.</summary>
    public const ContentHashAlgorithm DataDefault = ContentHashAlgorithm.Blake3;

    /// <summary>The names written in pointer files, configuration and remote keys.</summary>
    public static string Name(this ContentHashAlgorithm algorithm) => algorithm switch
    {
        ContentHashAlgorithm.Sha256 => "sha256",
        ContentHashAlgorithm.Blake3 => "blake3",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Every algorithm, in the order their cache folders are listed.</summary>
    public static IReadOnlyList<ContentHashAlgorithm> All { get; } = [ContentHashAlgorithm.Sha256, ContentHashAlgorithm.Blake3];

    /// <summary>The names accepted wherever a user or a file names an algorithm, for error messages.</summary>
    public static string Names => string.Join(", ", All.Select(algorithm => $"'{algorithm.Name()}'"));

    public static bool TryParse(string? name, out ContentHashAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(name, candidate.Name(), StringComparison.Ordinal))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }
}
