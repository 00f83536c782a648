namespace BuildMlops.IO;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform and .NET version
/// forever, unlike System.Random's algorithm. Every seeded random choice (the test split, bootstrap
/// resamples) uses it, so the same seed gives the same bytes everywhere.
/// </summary>
public sealed class SplitMix64(ulong state)
{
    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
