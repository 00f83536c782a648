using BuildMlops.Cache;
using BuildMlops.HashData;
using BuildMlops.IO;

namespace BuildMlops.Remotes;

/// <summary>
/// Conditional writes on a folder. Create-if-absent writes a temporary file and hard-links it to its
/// name: link(2) fails when the name exists, atomically, even on network file systems, and readers
/// never see a half-written object. Replace-if-match compares and renames under the folder's lock
/// (flock(2) on a <c>lock</c> file), so two replacements of one key are serialised. The entity tag is
/// the content's SHA-256.
/// </summary>
public sealed partial class FolderRemote : IConditionalRemoteStorage
{
    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        EnsureRoot();
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = AtomicFile.TemporaryPathFor(target);
        try
        {
            WriteDurably(temporary, bytes.Span);
            if (HardLink.TryCreate(temporary, target))
            {
                return Task.FromResult(true);
            }

            if (File.Exists(target))
            {
                return Task.FromResult(false);
            }

            // No hard links here (some network shares): a move that refuses to overwrite, which .NET
            // checks just before renaming. Only on such file systems is there a narrow race left.
            try
            {
                File.Move(temporary, target, overwrite: false);
                return Task.FromResult(true);
            }
            catch (IOException) when (File.Exists(target))
            {
                return Task.FromResult(false);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<ETaggedObject?> ReadWithETagAsync(string key, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        RequireRoot();
        return Task.FromResult(ReadTagged(PathOf(key)));
    }

    public Task<bool> ReplaceIfMatchAsync(string key, ReadOnlyMemory<byte> bytes, string etag, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        EnsureRoot();
        var target = PathOf(key);
        using (DirectoryLock.Exclusive(Path.GetDirectoryName(target)!))
        {
            if (ReadTagged(target) is not { } current || current.ETag != etag)
            {
                return Task.FromResult(false);
            }

            AtomicFile.WriteAllBytes(target, bytes.Span);
            return Task.FromResult(true);
        }
    }

    private static ETaggedObject? ReadTagged(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return new ETaggedObject(bytes, ContentHash.OfBytes(bytes));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void WriteDurably(string path, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
