using BuildMlops.Diagnostics;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// Where a remote's objects are: a bucket and a key prefix, parsed from <c>s3://bucket/optional/prefix</c>.
/// A remote key such as <c>files/sha256/ab/cdef…</c> is stored under <c>prefix/files/sha256/ab/cdef…</c>.
/// </summary>
public sealed record S3Location(string Bucket, string Prefix)
{
    public const string Scheme = "s3";

    private const string UrlStart = Scheme + "://";

    /// <summary>Parses the remote's url; a url that names no bucket is BM5007.</summary>
    public static S3Location Parse(string remoteName, string url)
    {
        if (!url.StartsWith(UrlStart, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(remoteName, url, "it does not start with s3://");
        }

        var rest = url[UrlStart.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length == 0)
        {
            throw Invalid(remoteName, url, "it names no bucket");
        }

        if (bucket.Any(character => char.IsWhiteSpace(character) || character is '?' or '#' or '\\' or ':'))
        {
            throw Invalid(remoteName, url, $"'{bucket}' is not a bucket name");
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Contains('\\'))
        {
            throw Invalid(remoteName, url, $"the prefix '{prefix}' has an empty folder name or a backslash");
        }

        return new S3Location(bucket, prefix);
    }

    /// <summary>The object key in the bucket for a remote key.</summary>
    public string ObjectKey(string key) => Prefix.Length == 0 ? key : $"{Prefix}/{key}";

    /// <summary>The canonical url, <c>s3://bucket/prefix</c> without a trailing slash.</summary>
    public override string ToString() => Prefix.Length == 0 ? $"{UrlStart}{Bucket}" : $"{UrlStart}{Bucket}/{Prefix}";

    private static MlopsException Invalid(string remoteName, string url, string reason) =>
        new(ErrorCodes.BadRemote, new SourceLocation(url), $"remote '{remoteName}' has the url '{url}', which is not an S3 location: {reason}", "Write it as s3://bucket or s3://bucket/prefix");
}
