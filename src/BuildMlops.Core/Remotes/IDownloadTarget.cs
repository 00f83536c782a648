namespace BuildMlops.Remotes;

/// <summary>
/// Where a download goes: a file that a remote may fill in ranges, several at once and in any order.
/// The receiver checks the bytes once they are all there (their hash names the object), so a remote
/// only has to write each byte of the object exactly once, at its offset.
/// </summary>
public interface IDownloadTarget
{
    /// <summary>
    /// The object's size as the caller knows it (from a pointer file), or null when it does not: a hint
    /// for choosing how to fetch the object, never trusted, since the bytes are verified anyway.
    /// </summary>
    long? ExpectedSize { get; }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>. Calls for ranges that do not overlap may run at once.</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellation);
}
