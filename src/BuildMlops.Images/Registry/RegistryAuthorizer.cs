using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// Answers one registry's authentication challenges. Nothing is sent until the registry asks (a registry that
/// allows anonymous pulls never sees a credential); after its first challenge every request carries Basic
/// credentials or a Bearer token for the request's scopes, fetched from the challenge's token service and
/// cached until it expires. The credential itself is looked up once, on the first challenge.
/// </summary>
internal sealed class RegistryAuthorizer(RegistryHost host, HttpClient http, IRegistryCredentialProvider provider)
{
    /// <summary>Token lifetime the distribution spec says to assume when the token service gives none.</summary>
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    /// <summary>A token is renewed this long before it expires, so it does not expire in flight.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim credentialLock = new(1, 1);
    private readonly SemaphoreSlim tokenLock = new(1, 1);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> tokens = new(StringComparer.Ordinal);
    private bool credentialLoaded;
    private RegistryCredential? credential;
    private volatile AuthenticationChallenge? challenge;

    /// <summary>The Authorization header for a request needing <paramref name="scopes"/>, or null before any challenge.</summary>
    public async Task<AuthenticationHeaderValue?> HeaderAsync(IReadOnlyList<string> scopes, CancellationToken cancellation)
    {
        var known = challenge;
        if (known is null)
        {
            return null;
        }

        if (known.IsBasic)
        {
            return await CredentialAsync(cancellation) is { HasPassword: true } basic ? Basic(basic) : null;
        }

        return new AuthenticationHeaderValue("Bearer", await TokenAsync(known, scopes, cancellation));
    }

    /// <summary>
    /// Takes in a 401 or 403 so that the request can be sent again with what the registry asked for; throws
    /// BM7003 when there is nothing more to present: authorization was sent and refused, or none can be found.
    /// </summary>
    public async Task ChallengedAsync(HttpResponseMessage response, IReadOnlyList<string> scopes, AuthenticationHeaderValue? presented, CancellationToken cancellation)
    {
        var next = AuthenticationChallenge.From(response.Headers.WwwAuthenticate);
        if (presented is not null || next is null)
        {
            throw await DeniedAsync(response, scopes, cancellation);
        }

        challenge = next;
        if (next.IsBasic && await CredentialAsync(cancellation) is not { HasPassword: true })
        {
            throw await DeniedAsync(response, scopes, cancellation);
        }
    }

    /// <summary>BM7003 for a refusal: names the registry, the account and where credentials are read from; never a secret.</summary>
    public async Task<MlopsException> DeniedAsync(HttpResponseMessage response, IReadOnlyList<string> scopes, CancellationToken cancellation)
    {
        var uri = response.RequestMessage?.RequestUri ?? host.BaseUri;
        var detail = await RegistryErrors.ErrorDetailAsync(response, cancellation);
        var found = await CredentialAsync(cancellation);
        var wanted = string.Join(" and ", scopes.Select(scope => scope.Replace("repository:", "", StringComparison.Ordinal)));
        var answer = $"{(int)response.StatusCode} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : "")}";
        return found is null
            ? new MlopsException(
                ErrorCodes.RegistryAccessDenied,
                RegistryErrors.Where(uri),
                $"registry {host.Name} wants credentials for {wanted} and none were found ({answer})",
                $"Log in with 'docker login {host.Name}', or set {DockerCredentialProvider.UsernameVariable} and {DockerCredentialProvider.PasswordVariable}; credentials are read from {Sources}")
            : new MlopsException(
                ErrorCodes.RegistryAccessDenied,
                RegistryErrors.Where(uri),
                $"registry {host.Name} refused the credentials {Who(found)}from {found.Source} for {wanted} ({answer})",
                $"Check the password or token, and that the account may do that on the repository; credentials are read from {Sources}");
    }

    private string Sources => provider is DockerCredentialProvider docker ? docker.Sources : "the configured credential provider";

    private static string Who(RegistryCredential found) => found.Username is { Length: > 0 } user ? $"of '{user}' " : "";

    private static AuthenticationHeaderValue Basic(RegistryCredential found) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{found.Username}:{found.Password}")));

    private async Task<RegistryCredential?> CredentialAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref credentialLoaded))
        {
            return credential;
        }

        await credentialLock.WaitAsync(cancellation);
        try
        {
            if (!credentialLoaded)
            {
                credential = await provider.GetAsync(host.Name, cancellation);
                Volatile.Write(ref credentialLoaded, true);
            }

            return credential;
        }
        finally
        {
            credentialLock.Release();
        }
    }

    private async Task<string> TokenAsync(AuthenticationChallenge bearer, IReadOnlyList<string> scopes, CancellationToken cancellation)
    {
        var key = string.Join(' ', scopes.Order(StringComparer.Ordinal));
        if (tokens.TryGetValue(key, out var cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return cached.Token;
        }

        await tokenLock.WaitAsync(cancellation);
        try
        {
            if (tokens.TryGetValue(key, out cached) && cached.Expires > DateTimeOffset.UtcNow)
            {
                return cached.Token;
            }

            var fetched = await FetchTokenAsync(bearer, scopes, cancellation);
            tokens[key] = fetched;
            return fetched.Token;
        }
        finally
        {
            tokenLock.Release();
        }
    }

    /// <summary>Asks the token service: GET with Basic credentials (or anonymously), or the OAuth2 refresh-token POST for an identity token.</summary>
    private async Task<(string Token, DateTimeOffset Expires)> FetchTokenAsync(AuthenticationChallenge bearer, IReadOnlyList<string> scopes, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(bearer.Realm, UriKind.Absolute, out var realm) || realm.Scheme is not ("https" or "http"))
        {
            throw new MlopsException(ErrorCodes.RegistryProtocolError, RegistryErrors.Where(host.BaseUri), $"registry {host.Name} names a token service that is not an http(s) URL: '{bearer.Realm}'", "The registry is misconfigured; tell its administrator");
        }

        var found = await CredentialAsync(cancellation);
        using var request = found?.IdentityToken is { } refreshToken
            ? RefreshTokenRequest(realm, bearer.Service, scopes, refreshToken)
            : TokenRequest(realm, bearer.Service, scopes, found);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellation);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            throw RegistryErrors.Unreachable(host, realm, exception);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw await DeniedAsync(response, scopes, cancellation);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await RegistryErrors.UnexpectedAsync(response, $"registry {host.Name}'s token service gave no token", cancellation);
            }

            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellation));
                var root = document.RootElement;
                var token = Text(root, "token") ?? Text(root, "access_token")
                    ?? throw new JsonException("it has neither 'token' nor 'access_token'");
                var lifetime = root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds)
                    : DefaultTokenLifetime;
                var issued = Text(root, "issued_at") is { } issuedAt && DateTimeOffset.TryParse(issuedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at < DateTimeOffset.UtcNow
                    ? at
                    : DateTimeOffset.UtcNow;
                return (token, issued + lifetime - ExpiryMargin);
            }
            catch (JsonException exception)
            {
                throw new MlopsException(ErrorCodes.RegistryProtocolError, RegistryErrors.Where(realm), $"registry {host.Name}'s token service answered something that is not a token: {exception.Message}", "The registry is misconfigured; tell its administrator");
            }
        }
    }

    private static HttpRequestMessage TokenRequest(Uri realm, string? service, IReadOnlyList<string> scopes, RegistryCredential? found)
    {
        var query = new List<string>();
        if (service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.AddRange(scopes.Select(scope => "scope=" + Uri.EscapeDataString(scope)));
        var builder = new UriBuilder(realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', existing.Length > 0 ? query.Prepend(existing) : query);
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (found is { HasPassword: true })
        {
            request.Headers.Authorization = Basic(found);
        }

        return request;
    }

    private static HttpRequestMessage RefreshTokenRequest(Uri realm, string? service, IReadOnlyList<string> scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", "buildmlops"),
            new("scope", string.Join(' ', scopes)),
        };
        if (service is not null)
        {
            form.Add(new("service", service));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
