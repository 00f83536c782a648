namespace BuildMlops.Remotes;

/// <summary>
/// A remote that can also write small objects conditionally, for state several writers share (the model
/// registry's version numbers, aliases and audit log). Content objects never need this: a key names its
/// bytes, so two writers of one key write the same thing. Registry objects are different: two registrations
/// may both want version 4, two promotions the same alias, and one of them must lose visibly, not silently.
/// A folder does it with link(2) and a file lock; S3 with <c>If-None-Match: *</c> and <c>If-Match</c>. A
/// server may ignore those headers and write anyway; callers that depend on them probe first (the registry
/// does) rather than trust the answers here blindly. Like the rest of a remote, nothing here lists keys:
/// a remote needs no permission to list, and callers find keys by name.
/// </summary>
public interface IConditionalRemoteStorage : IRemoteStorage
{
    /// <summary>Writes the bytes under the key only if no object has it; false if one already does.</summary>
    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellation);

    /// <summary>The object's bytes and the entity tag that identifies this content; null if there is no such key.</summary>
    Task<ETaggedObject?> ReadWithETagAsync(string key, CancellationToken cancellation);

    /// <summary>
    /// Replaces the object only if it still has the entity tag <paramref name="etag"/> (as read with
    /// <see cref="ReadWithETagAsync"/>); false if it changed since, or is gone.
    /// </summary>
    Task<bool> ReplaceIfMatchAsync(string key, ReadOnlyMemory<byte> bytes, string etag, CancellationToken cancellation);
}

/// <summary>An object's bytes with the entity tag of that content (S3's ETag; a folder's SHA-256).</summary>
public sealed record ETaggedObject(byte[] Bytes, string ETag);
