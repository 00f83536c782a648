namespace BuildMlops.Remotes;

/// <summary>
/// A place objects are pushed to and pulled from: a folder (the embedded default) or an S3 bucket.
/// Keys are content-addressed paths such as <c>files/sha256/ab/cdef…</c> and <c>runs/train/&lt;key&gt;.json</c>,
/// so an object under a key never changes; uploads must be all-or-nothing (a reader never sees half).
/// Implementations translate their own failures into BMnnnn errors (BM5005 access, BM5006 unreachable).
/// </summary>
public interface IRemoteStorage : IDisposable
{
    /// <summary>The remote's name in the config, e.g. <c>storage</c>.</summary>
    string Name { get; }

    /// <summary>Where it is, for messages: a folder path or <c>s3://bucket/prefix</c>. Never holds a secret.</summary>
    string Url { get; }

    /// <summary>Whether the key exists, without listing anything (HEAD).</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellation);

    /// <summary>Uploads a local file under the key, replacing what is there.</summary>
    Task UploadAsync(string key, string localPath, CancellationToken cancellation);

    /// <summary>Streams the object into <paramref name="destination"/>; false if there is no such key.</summary>
    Task<bool> DownloadAsync(string key, Stream destination, CancellationToken cancellation);

    /// <summary>
    /// Downloads the object into <paramref name="target"/>; false if there is no such key. The default
    /// streams it in order through <see cref="DownloadAsync"/>; a remote that can fetch ranges of a large
    /// object at once (S3) overrides it, since one stream leaves most of a fast link idle.
    /// </summary>
    async Task<bool> DownloadToAsync(string key, IDownloadTarget target, CancellationToken cancellation)
    {
        await using var stream = new DownloadTargetStream(target);
        return await DownloadAsync(key, stream, cancellation);
    }

    Task DeleteAsync(string key, CancellationToken cancellation);

    /// <summary>
    /// Which of <paramref name="keys"/> exist, all of them in one folder of the layout (such as
    /// <c>files/sha256/ab/</c>), or null when this remote cannot tell more cheaply than by one
    /// <see cref="ExistsAsync"/> per key; the caller then asks about each. The default returns null: a
    /// remote overrides it where listing a folder costs fewer requests than asking about every key, and
    /// never lists more than that folder.
    /// </summary>
    Task<IReadOnlySet<string>?> FindExistingAsync(IReadOnlyList<string> keys, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlySet<string>?>(null);
}
