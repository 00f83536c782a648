using System.Net.Http.Headers;

namespace BuildMlops.Images.Registry;

/// <summary>
/// One request to a registry, as a recipe rather than a message: a retry or an answer to an authentication
/// challenge sends it again, and a sent HttpRequestMessage (with its consumed body) cannot be sent twice.
/// </summary>
internal sealed record RegistryRequest(HttpMethod Method, Uri Uri, IReadOnlyList<string> Scopes)
{
    public IReadOnlyList<string> Accept { get; init; } = [];

    /// <summary>Makes a fresh body for each attempt, or null for none.</summary>
    public Func<HttpContent>? Content { get; init; }

    /// <summary>Whether a failed attempt may be repeated: not for a chunk, which the session may have taken in part.</summary>
    public bool Retry { get; init; } = true;

    public HttpRequestMessage Create(AuthenticationHeaderValue? authorization)
    {
        var message = new HttpRequestMessage(Method, Uri) { Content = Content?.Invoke() };
        foreach (var mediaType in Accept)
        {
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        message.Headers.Authorization = authorization;
        return message;
    }
}
