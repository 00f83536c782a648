using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using BuildMlops.Diagnostics;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// Turns what the AWS SDK throws into the BMnnnn errors a user can act on: BM5005 when the credentials
/// are refused or missing, BM5006 when the endpoint cannot be reached, BM5007 when the remote is
/// configured wrong (no such bucket, wrong region). No message ever shows a credential.
/// </summary>
internal sealed class S3ErrorTranslator(string remoteName, S3RemoteOptions options)
{
    /// <summary>The error code S3 gives, with a body, for a bucket that does not exist.</summary>
    public const string NoSuchBucketCode = "NoSuchBucket";

    private static readonly HashSet<string> AccessErrorCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccountProblem", "AllAccessDisabled", "ExpiredToken", "InvalidAccessKeyId",
        "InvalidToken", "SignatureDoesNotMatch", "TokenRefreshRequired", "InvalidSecurity",
    };

    private static readonly HashSet<string> WrongRegionErrorCodes = new(StringComparer.Ordinal)
    {
        "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "PermanentRedirect",
    };

    private string Url => options.Location.ToString();

    private SourceLocation Where => new(Url);

    /// <summary>
    /// The BMnnnn error for <paramref name="exception"/>, or null when it must travel as it is: the caller's
    /// own cancellation, an error that already has a code, or something unexpected (a bug, BM9001 upstream).
    /// </summary>
    public MlopsException? Translate(Exception exception, CancellationToken cancellation)
    {
        if (exception is MlopsException || (exception is OperationCanceledException && cancellation.IsCancellationRequested))
        {
            return null;
        }

        if (NetworkFailure(exception) is { } network)
        {
            return Unreachable(network);
        }

        return exception switch
        {
            AmazonServiceException service => FromService(service),
            ProfileNotFoundException or ProcessAWSCredentialException => NoCredentials("the AWS profile's credentials cannot be read"),
            AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) => NoCredentials("no AWS credentials were found"),
            _ => null,
        };
    }

    private MlopsException NoSuchBucket() =>
        new(ErrorCodes.BadRemote, Where, $"remote '{remoteName}' ({Url}): the bucket '{options.Location.Bucket}' does not exist at {options.EndpointDescription}", "Create the bucket, or fix the remote's url with 'mlops remote add'");

    private MlopsException FromService(AmazonServiceException exception)
    {
        var status = (int)exception.StatusCode;
        var code = string.IsNullOrEmpty(exception.ErrorCode) ? exception.StatusCode.ToString() : exception.ErrorCode;
        if (exception.ErrorCode == NoSuchBucketCode)
        {
            return NoSuchBucket();
        }

        if (AccessErrorCodes.Contains(code) || exception.StatusCode == HttpStatusCode.Forbidden)
        {
            return new MlopsException(
                ErrorCodes.RemoteAccessDenied,
                Where,
                $"remote '{remoteName}' ({Url}) at {options.EndpointDescription} refused the request: {code} (HTTP {status})",
                "Check the AWS credentials this process gets (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the shared credentials file) and that they may read and write the bucket");
        }

        if (WrongRegionErrorCodes.Contains(code) || status is 301 or 307)
        {
            return new MlopsException(ErrorCodes.BadRemote, Where, $"remote '{remoteName}' ({Url}) is not in region {options.Region}: {code} (HTTP {status})", "Set the remote's region option to the bucket's region");
        }

        if (status >= 500 || status == 429 || code is "SlowDown" or "RequestTimeout")
        {
            return new MlopsException(ErrorCodes.RemoteUnreachable, Where, $"remote '{remoteName}' ({Url}) at {options.EndpointDescription} kept failing: {code} (HTTP {status}) after {options.MaxErrorRetry} retries", "Try again later, or check the S3 server's health");
        }

        return new MlopsException(ErrorCodes.BadRemote, Where, $"remote '{remoteName}' ({Url}) at {options.EndpointDescription} rejected the request: {code} (HTTP {status})", "Check the remote's url and options; an S3-compatible server may not support this request");
    }

    private MlopsException NoCredentials(string what) =>
        new(ErrorCodes.RemoteAccessDenied, Where, $"remote '{remoteName}' ({Url}) cannot be accessed: {what}", "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a shared credentials file");

    private MlopsException Unreachable(Exception cause) =>
        new(ErrorCodes.RemoteUnreachable, Where, $"remote '{remoteName}' ({Url}) cannot be reached at {options.EndpointDescription}: {Describe(cause)}", "Check the network and the remote's endpoint option, then try again");

    /// <summary>The first exception in the chain that says the network failed: refused, unresolved, reset or timed out.</summary>
    private static Exception? NetworkFailure(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            // Not any IOException: a local file that cannot be read or written is not the remote's fault.
            if (current is SocketException or HttpRequestException or HttpIOException or TimeoutException or OperationCanceledException)
            {
                return current;
            }
        }

        return null;
    }

    private static string Describe(Exception cause)
    {
        if (cause is OperationCanceledException or TimeoutException)
        {
            return "the request timed out";
        }

        var innermost = cause;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost is SocketException socket ? $"{socket.SocketErrorCode} ({socket.Message})" : innermost.Message.TrimEnd('.');
    }
}
