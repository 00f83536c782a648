using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace BuildMlops.Images.Registry;

/// <summary>
/// Sends requests to registries: authorizes them (see <see cref="RegistryAuthorizer"/>), repeats them on 429,
/// 5xx and passing network failures with backoff, and turns a registry that cannot be reached into BM7004.
/// Every other answer goes back to the caller, which knows which statuses its step expects.
/// </summary>
internal sealed class RegistryTransport(HttpClient http, IRegistryCredentialProvider credentials)
{
    public const int Attempts = 3;

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest Retry-After honoured; a registry asking for more is treated as failing.</summary>
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, RegistryAuthorizer> authorizers = new(StringComparer.OrdinalIgnoreCase);

    public HttpClient Http => http;

    public async Task<HttpResponseMessage> SendAsync(RegistryHost host, RegistryRequest request, CancellationToken cancellation)
    {
        var authorizer = authorizers.GetOrAdd(host.Name, _ => new RegistryAuthorizer(host, http, credentials));
        var failures = 0;
        var challenges = 0;
        while (true)
        {
            var authorization = await authorizer.HeaderAsync(request.Scopes, cancellation);
            using var message = request.Create(authorization);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation);

                // Errors and relative Locations are read against the request; a handler's own answer may lack it.
                response.RequestMessage ??= message;
            }
            catch (Exception exception) when (IsNetworkFailure(exception, cancellation))
            {
                if (++failures >= Attempts || !request.Retry || !IsPassing(exception))
                {
                    throw RegistryErrors.Unreachable(host, request.Uri, exception);
                }

                await Task.Delay(Backoff(failures, null), cancellation);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                using (response)
                {
                    // One challenge to learn how to authenticate; a second refusal ends in BM7003 inside.
                    if (++challenges > 2)
                    {
                        throw await authorizer.DeniedAsync(response, request.Scopes, cancellation);
                    }

                    await authorizer.ChallengedAsync(response, request.Scopes, authorization, cancellation);
                    continue;
                }
            }

            if (IsBusy(response.StatusCode) && request.Retry && ++failures < Attempts)
            {
                var wait = Backoff(failures, response.Headers.RetryAfter);
                response.Dispose();
                await Task.Delay(wait, cancellation);
                continue;
            }

            return response;
        }
    }

    /// <summary>Sends and expects one of <paramref name="expected"/>; anything else is BM7006 saying what was being done.</summary>
    public async Task<HttpResponseMessage> SendExpectingAsync(RegistryHost host, RegistryRequest request, string what, CancellationToken cancellation, params HttpStatusCode[] expected)
    {
        var response = await SendAsync(host, request, cancellation);
        if (expected.Contains(response.StatusCode))
        {
            return response;
        }

        using (response)
        {
            throw await RegistryErrors.UnexpectedAsync(response, what, cancellation);
        }
    }

    private static bool IsBusy(HttpStatusCode status) => (int)status is 429 or 500 or 502 or 503 or 504;

    /// <summary>A failure of the network or of time rather than the caller's cancellation.</summary>
    private static bool IsNetworkFailure(Exception exception, CancellationToken cancellation) =>
        exception is HttpRequestException or IOException || (exception is TaskCanceledException && !cancellation.IsCancellationRequested);

    /// <summary>Worth another try: not a name that does not resolve, nor a TLS failure, which fail the same way again.</summary>
    private static bool IsPassing(Exception exception) =>
        exception is not HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

    private static TimeSpan Backoff(int failures, RetryConditionHeaderValue? retryAfter)
    {
        var asked = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (asked is { } delay && delay > TimeSpan.Zero)
        {
            return delay < LongestRetryAfter ? delay : LongestRetryAfter;
        }

        return FirstBackoff * (1 << (failures - 1));
    }
}
