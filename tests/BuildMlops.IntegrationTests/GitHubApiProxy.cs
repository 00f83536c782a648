using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// A recording HTTP proxy in front of Prism, for a test whose GitHub client runs in another process (the mlops CLI),
/// where the in-process recording handler of BuildMlops.GitHub.Tests cannot sit. It asks Prism for
/// <c>application/json</c> instead of GitHub's own media type (Prism would answer 406, as that test suite's recorder
/// explains) and keeps each request's method, path and Prism's status, so the test sees what Prism accepted.
/// </summary>
internal sealed class GitHubApiProxy : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Uri target;
    private readonly Task loop;

    public GitHubApiProxy(Uri target)
    {
        this.target = target;
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Every request so far: method, path and query, and Prism's status.</summary>
    public ConcurrentQueue<(string Method, string Path, int Status)> Calls { get; } = new();

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        client.Dispose();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by its listener being stopped.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var forwarded = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(target, request.RawUrl!.TrimStart('/')));
        foreach (var name in request.Headers.AllKeys.OfType<string>())
        {
            if (name is "Host" or "Content-Length" or "Content-Type" or "Accept" or "Connection" or "Expect")
            {
                continue;
            }

            forwarded.Headers.TryAddWithoutValidation(name, request.Headers.GetValues(name) ?? []);
        }

        forwarded.Headers.TryAddWithoutValidation("Accept", "application/json");
        if (request.HasEntityBody)
        {
            using var buffer = new MemoryStream();
            await request.InputStream.CopyToAsync(buffer);
            forwarded.Content = new ByteArrayContent(buffer.ToArray());
            if (request.ContentType is { } contentType)
            {
                forwarded.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        var response = context.Response;
        try
        {
            using var answer = await client.SendAsync(forwarded);
            var body = await answer.Content.ReadAsByteArrayAsync();
            Calls.Enqueue((request.HttpMethod, request.RawUrl!, (int)answer.StatusCode));
            response.StatusCode = (int)answer.StatusCode;
            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await response.OutputStream.WriteAsync(body);
        }
        catch (HttpRequestException)
        {
            Calls.Enqueue((request.HttpMethod, request.RawUrl!, 502));
            response.StatusCode = 502;
        }
        finally
        {
            response.Close();
        }
    }
}
