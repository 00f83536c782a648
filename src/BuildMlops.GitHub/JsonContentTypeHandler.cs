using System.Net.Http.Headers;

namespace BuildMlops.GitHub;

/// <summary>
/// Octokit 14 sends its JSON request bodies labelled <c>application/x-www-form-urlencoded</c> (its default content
/// type for any body it serializes). github.com reads them as JSON anyway, but GitHub's API description says every
/// such body is <c>application/json</c>, and a stricter server or proxy (GitHub Enterprise behind one, or the API
/// description's mock in the tests) refuses the request with 415. This relabels them as what they are.
/// </summary>
internal sealed class JsonContentTypeHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content?.Headers.ContentType is { MediaType: "application/x-www-form-urlencoded" })
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        return base.SendAsync(request, cancellationToken);
    }
}
