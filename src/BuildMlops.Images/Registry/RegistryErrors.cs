using System.Security.Authentication;
using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// The errors a registry conversation ends in. Each is located at the request's URL without its query (upload
/// URLs carry session state there), and none holds a header or body that could carry a credential.
/// </summary>
internal static class RegistryErrors
{
    /// <summary>How much of an error body is read to find the registry's own explanation.</summary>
    private const int ErrorBodyLimit = 64 << 10;

    public static SourceLocation Where(Uri uri) => new(uri.GetLeftPart(UriPartial.Path));

    /// <summary>BM7004: the registry could not be reached; says what failed and, for a TLS failure, what it may mean.</summary>
    public static MlopsException Unreachable(RegistryHost host, Uri uri, Exception exception)
    {
        var reason = Describe(exception);
        var help = $"Check that {host.Name} is the right registry and that it is up and reachable from here";
        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            if (Chain(exception).Any(inner => inner is AuthenticationException && inner.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)))
            {
                reason = "its TLS certificate is not trusted here";
                help = $"Trust the CA that signed {host.Name}'s certificate (on Debian: copy it to /usr/local/share/ca-certificates and run update-ca-certificates)";
            }
            else
            {
                reason = "the TLS handshake failed";
                help = $"If {host.Name} serves plain HTTP (a local or test registry), list it in MlopsInsecureRegistries; otherwise check what answers on that port";
            }
        }

        return new MlopsException(ErrorCodes.RegistryUnreachable, Where(uri), $"cannot reach registry {host.Name} ({uri.Scheme}): {reason}", help);
    }

    /// <summary>BM7006: an answer the operation has no use for, with the registry's own error codes and messages when it sent them.</summary>
    public static async Task<MlopsException> UnexpectedAsync(HttpResponseMessage response, string what, CancellationToken cancellation)
    {
        var request = response.RequestMessage;
        var uri = request?.RequestUri ?? new Uri("about:blank");
        var status = (int)response.StatusCode;
        var detail = await ErrorDetailAsync(response, cancellation);
        return new MlopsException(
            ErrorCodes.RegistryProtocolError,
            Where(uri),
            $"{what}: {request?.Method} {uri.AbsolutePath} answered {status} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : "")}",
            status is 429 or >= 500
                ? "The registry is busy or failing; try again later"
                : "The registry refused the request; its message above says why");
    }

    /// <summary>The registry's error codes, e.g. <c>BLOB_UNKNOWN (blob unknown to registry)</c>, or "" when its body has none.</summary>
    public static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        try
        {
            var body = await ReadLimitedAsync(response, cancellation);
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return "";
            }

            return string.Join("; ", errors.EnumerateArray().Select(error =>
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return message is null ? code ?? "" : $"{code} ({message})";
            }).Distinct());
        }
        catch (Exception exception) when (exception is JsonException or IOException or HttpRequestException or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>BM7005: bytes or a digest from the registry that are not the ones asked for or sent.</summary>
    public static MlopsException DigestMismatch(Uri uri, string message) =>
        new(ErrorCodes.RegistryDigestMismatch, Where(uri), message, "Try again; if it persists, the registry (or a proxy before it) is changing content, and its administrator should know");

    /// <summary>BM7002: the image, or its manifest for the platform, is not there.</summary>
    public static MlopsException NotFound(Uri uri, string message, string help) =>
        new(ErrorCodes.BaseImageUnavailable, Where(uri), message, help);

    /// <summary>The body, buffered so that a second look (one error after another) sees it too; bodies past the limit are not errors JSON.</summary>
    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        await response.Content.LoadIntoBufferAsync(ErrorBodyLimit, cancellation);
        return await response.Content.ReadAsByteArrayAsync(cancellation);
    }

    private static string Describe(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "its host name does not resolve",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "the connection failed" + Innermost(exception),
        TaskCanceledException or TimeoutException => "it did not answer in time",
        _ => Chain(exception).Last().Message,
    };

    /// <summary>The innermost reason (e.g. "Connection refused"), which says more than the wrappers around it.</summary>
    private static string Innermost(Exception exception)
    {
        var inner = Chain(exception).Last();
        return ReferenceEquals(inner, exception) ? "" : ": " + inner.Message;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
