using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BuildMlops.Testing;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>
/// Makes the htpasswd registry look like Docker Hub or GHCR: a request without a token it issued is answered
/// 401 with a Bearer challenge naming a token service (answered here, on a host that is never resolved), which
/// hands out tokens for the registry's Basic credentials; a request with such a token goes on to the real
/// registry with the real credentials in its place.
/// </summary>
internal sealed class BearerTokenService : IDisposable
{
    public const string Realm = "http://token.buildmlops.test/token";
    public const string Service = "buildmlops-tests";

    private readonly RegistryServer server;
    private readonly ConcurrentDictionary<string, bool> issued = new();

    public BearerTokenService(RegistryServer server)
    {
        this.server = server;
        Handler = new InterceptingHandler(AnswerAsync);
    }

    public InterceptingHandler Handler { get; }

    /// <summary>One line per token request: its service and scopes, and the user whose Basic credentials it carried.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Dispose() => Handler.Dispose();

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, Func<Task<HttpResponseMessage>> forward)
    {
        if (request.RequestUri!.Host == new Uri(Realm).Host)
        {
            return IssueToken(request);
        }

        if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } token } && issued.ContainsKey(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryServer.Username}:{server.Password}")));
            return await forward();
        }

        var repository = request.RequestUri.AbsolutePath.Split("/blobs/")[0].Split("/manifests/")[0]["/v2/".Length..];
        var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request, Content = new StringContent("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""") };
        challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", $"realm=\"{Realm}\",service=\"{Service}\",scope=\"repository:{repository}:pull,push\""));
        return challenge;
    }

    private HttpResponseMessage IssueToken(HttpRequestMessage request)
    {
        var query = request.RequestUri!.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString);
        var basic = request.Headers.Authorization is { Scheme: "Basic", Parameter: { } encoded } ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : "";
        var user = basic.Split(':')[0];
        Requests.Enqueue($"{string.Join(' ', query)} user={user}");
        if (basic != $"{RegistryServer.Username}:{server.Password}")
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request, Content = new StringContent("""{"details":"incorrect username or password"}""") };
        }

        var token = "token-" + Guid.NewGuid().ToString("N");
        issued[token] = true;
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent(new JsonObject { ["token"] = token, ["expires_in"] = 300 }.ToJsonString()),
        };
    }
}
