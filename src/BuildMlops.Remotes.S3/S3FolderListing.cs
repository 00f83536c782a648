using Amazon.S3;
using Amazon.S3.Model;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// Which of some keys in one folder exist, by listing only that folder, and only the stretches of it
/// the keys fall in: every page starts just before the first key still in question (StartAfter) and
/// settles at least that key, so it never takes more requests than one HEAD per key, and on a remote
/// with few objects in the folder one page settles all of them. The last key left is asked about alone.
/// </summary>
internal static class S3FolderListing
{
    /// <summary>
    /// The existing ones among <paramref name="objectKeys"/> (full object keys, all in
    /// <paramref name="folder"/>, which ends with '/'); <paramref name="exists"/> asks about one key.
    /// </summary>
    public static async Task<HashSet<string>> FindExistingAsync(IAmazonS3 client, string bucket, string folder, IReadOnlyList<string> objectKeys, int pageSize, Func<string, CancellationToken, Task<bool>> exists, CancellationToken cancellation)
    {
        var sorted = objectKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        var next = 0;
        var startAfter = "";
        while (next < sorted.Count)
        {
            if (next == sorted.Count - 1)
            {
                if (await exists(sorted[next], cancellation))
                {
                    found.Add(sorted[next]);
                }

                break;
            }

            // StartAfter is exclusive: the key without its last character sorts just before the key.
            // Never behind the last page's end, so that every page moves on.
            var before = sorted[next][..^1];
            if (string.CompareOrdinal(before, startAfter) > 0)
            {
                startAfter = before;
            }

            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = folder, StartAfter = startAfter, MaxKeys = pageSize }, cancellation);
            foreach (var listed in page.S3Objects ?? [])
            {
                // Keys before this one that were not listed are not there: a page has no gaps.
                while (next < sorted.Count && string.CompareOrdinal(sorted[next], listed.Key) < 0)
                {
                    next++;
                }

                if (next < sorted.Count && sorted[next] == listed.Key)
                {
                    found.Add(listed.Key);
                    next++;
                }
            }

            if (page.IsTruncated != true || page.S3Objects is not { Count: > 0 } listedKeys)
            {
                // The folder ends here: the keys still in question are not in it. (After an empty page,
                // which no S3 server should send, they would be uploaded again: harmless, never wrong.)
                break;
            }

            startAfter = listedKeys[^1].Key;
        }

        return found;
    }
}
