namespace BuildMlops.Images.Registry;

/// <summary>What a push did.</summary>
/// <param name="ManifestDigest">The digest of the pushed manifest (or index): the image's name that no later push can change.</param>
/// <param name="BlobsUploaded">Blobs whose bytes were sent.</param>
/// <param name="BlobsSkipped">Blobs the repository had already.</param>
/// <param name="BlobsMounted">Blobs the registry linked in from another repository, sending no bytes.</param>
/// <param name="BytesUploaded">The bytes of the uploaded blobs.</param>
/// <param name="Tags">The tags that now point at <paramref name="ManifestDigest"/>.</param>
public sealed record PushResult(string ManifestDigest, int BlobsUploaded, int BlobsSkipped, int BlobsMounted, long BytesUploaded, IReadOnlyList<string> Tags);
