using System.Collections.Concurrent;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>
/// Stands between the client and the real registry: records every request, and lets a test answer a request
/// itself or change what the registry answered (refuse, rewrite a header, flip a byte).
/// </summary>
internal sealed class InterceptingHandler : DelegatingHandler
{
    public delegate Task<HttpResponseMessage> Intercept(HttpRequestMessage request, Func<Task<HttpResponseMessage>> forward);

    private readonly Intercept intercept;

    public InterceptingHandler(Intercept? intercept = null)
        : base(new SocketsHttpHandler())
    {
        this.intercept = intercept ?? ((_, forward) => forward());
    }

    /// <summary>"METHOD /path" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public int Count(string method, string pathPart) =>
        Requests.Count(line => line.StartsWith(method + " ", StringComparison.Ordinal) && line.Contains(pathPart, StringComparison.Ordinal));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue($"{request.Method} {request.RequestUri!.AbsolutePath}");
        return intercept(request, () => base.SendAsync(request, cancellationToken));
    }
}
