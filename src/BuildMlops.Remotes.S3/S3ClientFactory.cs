using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// Builds the SDK client for a remote. Credentials are left to the SDK's default chain (environment,
/// AWS_PROFILE and the shared files, SSO, container or instance roles); nothing here ever holds one.
/// </summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3RemoteOptions options)
    {
        var config = new AmazonS3Config
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
            ForcePathStyle = options.PathStyle,
            // S3-compatible servers such as s3rver store the checksum trailers of the SDK's default
            // (WHEN_SUPPORTED) as part of the object: compute and check checksums only when S3 demands them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ConnectTimeout is { } connectTimeout)
        {
            config.ConnectTimeout = connectTimeout;
        }

        if (options.Endpoint is { } endpoint)
        {
            // ServiceURL and RegionEndpoint exclude each other; the region still signs the requests.
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.PathStyle ? new S3PathStyleClient(config) : new AmazonS3Client(config);
    }
}
