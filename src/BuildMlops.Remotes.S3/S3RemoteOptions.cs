using Amazon.Runtime;
using BuildMlops.Diagnostics;
using BuildMlops.Repository;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// How to reach an S3 remote, from its url and its options in <c>.mlops/config.json</c> (snake_case keys):
/// <c>endpoint</c> (an S3-compatible server, e.g. <c>http://127.0.0.1:4568</c>), <c>region</c> (default: the AWS
/// chain's, else us-east-1) and <c>path_style</c> (true/false; default true when an endpoint is given).
/// Never credentials: those come from the AWS credential chain only.
/// </summary>
public sealed record S3RemoteOptions
{
    public const string EndpointOption = "endpoint";
    public const string RegionOption = "region";
    public const string PathStyleOption = "path_style";
    public const string DefaultRegion = "us-east-1";

    /// <summary>Objects up to this size are one PUT and one GET; larger ones a multipart upload and ranged GETs.</summary>
    public const long DefaultMultipartThreshold = 64L << 20;

    /// <summary>The AWS CLI's part size (multipart_chunksize), for uploads and ranged downloads alike.</summary>
    public const long DefaultPartSize = 8L << 20;

    private static readonly string[] KnownOptions = [EndpointOption, PathStyleOption, RegionOption];

    public required S3Location Location { get; init; }

    /// <summary>An S3-compatible server; null for AWS itself.</summary>
    public Uri? Endpoint { get; init; }

    public string Region { get; init; } = DefaultRegion;

    /// <summary>Address the bucket as <c>endpoint/bucket/key</c> rather than <c>bucket.endpoint/key</c>.</summary>
    public bool PathStyle { get; init; }

    /// <summary>Retries of one request after a throttle, a 5xx or a broken connection (the SDK's standard mode, with backoff).</summary>
    public int MaxErrorRetry { get; init; } = 5;

    /// <summary>How long to wait for a connection; null leaves the SDK's default.</summary>
    public TimeSpan? ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public long MultipartThreshold { get; init; } = DefaultMultipartThreshold;

    public long PartSize { get; init; } = DefaultPartSize;

    /// <summary>
    /// Parts of multipart uploads and ranges of large downloads in flight at once, over all the objects
    /// the remote is moving: the AWS CLI's default request count (max_concurrent_requests).
    /// </summary>
    public int PartConcurrency { get; init; } = 10;

    /// <summary>
    /// Asked which of this many keys or more in one fan-out folder exist, the remote lists that folder
    /// rather than sending a HEAD per key: with fewer, a HEAD each is as few requests.
    /// </summary>
    public int MinimumKeysToList { get; init; } = 2;

    /// <summary>Keys per listing page; S3 sends at most 1,000.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Where requests go, for messages: the endpoint, or AWS's S3 in the region.</summary>
    public string EndpointDescription => Endpoint?.ToString().TrimEnd('/') ?? $"AWS S3 in {Region}";

    /// <summary>Reads a configured remote; an unknown option or a bad value is BM5007.</summary>
    public static S3RemoteOptions FromSettings(string remoteName, RemoteSettings settings)
    {
        var location = S3Location.Parse(remoteName, settings.Url);
        var unknown = settings.Options.Keys.FirstOrDefault(key => !KnownOptions.Contains(key, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw Bad(remoteName, settings.Url, $"has the unknown option '{unknown}' (known: {string.Join(", ", KnownOptions)})", "Remove it, or spell it as one of the known options");
        }

        Uri? endpoint = null;
        if (settings.Options.TryGetValue(EndpointOption, out var endpointText))
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw Bad(remoteName, settings.Url, $"has the endpoint '{endpointText}', which is not an http:// or https:// address", "Write the endpoint as http://host:port or https://host");
            }
        }

        var pathStyle = endpoint is not null;
        if (settings.Options.TryGetValue(PathStyleOption, out var pathStyleText) && !bool.TryParse(pathStyleText, out pathStyle))
        {
            throw Bad(remoteName, settings.Url, $"has path_style '{pathStyleText}', which is neither true nor false", "Set path_style to true or false");
        }

        var region = settings.Options.TryGetValue(RegionOption, out var regionText) && !string.IsNullOrWhiteSpace(regionText)
            ? regionText.Trim()
            : RegionFromAwsChain() ?? DefaultRegion;

        return new S3RemoteOptions { Location = location, Endpoint = endpoint, Region = region, PathStyle = pathStyle };
    }

    /// <summary>AWS_REGION, AWS_DEFAULT_REGION or the profile's region; never the EC2 metadata service, which is slow off EC2.</summary>
    private static string? RegionFromAwsChain()
    {
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint(includeInstanceMetadata: false)?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }

    private static MlopsException Bad(string remoteName, string url, string what, string help) =>
        new(ErrorCodes.BadRemote, new SourceLocation(url), $"remote '{remoteName}' ({url}) {what}", help);
}
