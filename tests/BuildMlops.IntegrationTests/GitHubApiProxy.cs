using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// A recording HTTP proxy in front of Prism, for a test whose GitHub client runs in another process (the mlops CLI),
/// where the in-process recording handler of BuildMlops.GitHub.Tests cannot sit. It asks Prism for
/// <c>application/json</c> instead of GitHub's own media type (Prism would answer 406, as that test suite's recorder
/// explains) and keeps each request's method, path, body and Prism's status, so the test sees what Prism accepted.
/// <para>
/// Two things Prism cannot do are added after Prism has judged the request, on its answers: (1) Prism keeps no state,
/// so the pull request comments written through it are remembered and listed back (Prism's example comment shape,
/// with the id and body this proxy gave them), which is what lets a second report find its marker and edit the
/// comment in place; (2) a release is "not found" (Prism's documented 404) until one is created through the proxy, so
/// the first release of a tag is created rather than edited; (3) the <c>upload_url</c> of a release points at uploads.github.com in Prism's examples, and is
/// rewritten to this proxy, as GitHub Enterprise Server serves uploads under its own host.
/// </para>
/// </summary>
internal sealed partial class GitHubApiProxy : IDisposable
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

    /// <summary>Every request so far: method, path and query, the body sent, and Prism's status.</summary>
    public ConcurrentQueue<ProxiedCall> Calls { get; } = new();

    /// <summary>The pull request comments written through this proxy, by issue path (<c>/repos/o/r/issues/42</c>).</summary>
    private readonly Dictionary<string, List<JsonObject>> comments = new(StringComparer.Ordinal);
    private long nextCommentId = 9000;

    /// <summary>The releases created through this proxy, as the path that gets one by tag (<c>/repos/o/r/releases/tags/v1.0.0</c>).</summary>
    private readonly HashSet<string> releases = new(StringComparer.Ordinal);

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
        if (request.HttpMethod == "GET" && ReleaseByTag().Match(request.Url!.AbsolutePath) is { Success: true } byTag && !IsReleased(byTag.Groups["release"].Value))
        {
            // No release of this tag was made through here: GitHub's answer is then its documented 404.
            forwarded.Headers.TryAddWithoutValidation("Prefer", "code=404");
        }

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
        var sent = forwarded.Content is null ? "" : Encoding.UTF8.GetString(await forwarded.Content.ReadAsByteArrayAsync());
        try
        {
            using var answer = await client.SendAsync(forwarded);
            var body = await answer.Content.ReadAsByteArrayAsync();
            var status = (int)answer.StatusCode;
            Calls.Enqueue(new ProxiedCall(request.HttpMethod, request.RawUrl!, status, sent));
            if (status is >= 200 and < 300 && answer.Content.Headers.ContentType?.MediaType == "application/json")
            {
                body = Encoding.UTF8.GetBytes(WithState(request.HttpMethod, request.Url!.AbsolutePath, sent, Encoding.UTF8.GetString(body)));
            }

            response.StatusCode = status;
            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await response.OutputStream.WriteAsync(body);
        }
        catch (HttpRequestException)
        {
            Calls.Enqueue(new ProxiedCall(request.HttpMethod, request.RawUrl!, 502, sent));
            response.StatusCode = 502;
        }
        finally
        {
            response.Close();
        }
    }

    /// <summary>Whether a release of <c>/repos/o/r/releases/tags/{tag}</c> was created through this proxy.</summary>
    private bool IsReleased(string releasePath)
    {
        lock (comments)
        {
            return releases.Contains(releasePath);
        }
    }

    /// <summary>Prism's accepted answer to a request, with the comments and releases remembered and the upload URL rewritten.</summary>
    private string WithState(string method, string path, string sent, string answer)
    {
        answer = answer.Replace("https://uploads.github.com/", BaseUrl.ToString(), StringComparison.Ordinal);
        lock (comments)
        {
            if (method == "POST" && Releases().IsMatch(path))
            {
                releases.Add($"{path}/tags/{JsonNode.Parse(sent)!["tag_name"]!.GetValue<string>()}");
            }

            if (IssueComments().Match(path) is { Success: true } list)
            {
                var issue = list.Groups["issue"].Value;
                if (method == "POST")
                {
                    var comment = JsonNode.Parse(answer)!.AsObject();
                    comment["id"] = ++nextCommentId;
                    comment["body"] = JsonNode.Parse(sent)!["body"]!.GetValue<string>();
                    (comments.TryGetValue(issue, out var written) ? written : comments[issue] = []).Add(comment);
                    return comment.ToJsonString();
                }

                if (method == "GET")
                {
                    var listed = JsonNode.Parse(answer)!.AsArray();
                    foreach (var comment in comments.GetValueOrDefault(issue) ?? [])
                    {
                        listed.Add(comment.DeepClone());
                    }

                    return listed.ToJsonString();
                }
            }

            if (method == "PATCH" && OneComment().Match(path) is { Success: true } one)
            {
                var id = long.Parse(one.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var comment = comments.Values.SelectMany(written => written).FirstOrDefault(written => (long)written["id"]! == id);
                if (comment is not null)
                {
                    comment["body"] = JsonNode.Parse(sent)!["body"]!.GetValue<string>();
                    return comment.ToJsonString();
                }
            }
        }

        return answer;
    }

    [GeneratedRegex(@"^(?<issue>/repos/[^/]+/[^/]+/issues/\d+)/comments$")]
    private static partial Regex IssueComments();

    [GeneratedRegex(@"^/repos/[^/]+/[^/]+/issues/comments/(?<id>\d+)$")]
    private static partial Regex OneComment();

    [GeneratedRegex(@"^/repos/[^/]+/[^/]+/releases$")]
    private static partial Regex Releases();

    [GeneratedRegex(@"^(?<release>/repos/[^/]+/[^/]+/releases/tags/[^/]+)$")]
    private static partial Regex ReleaseByTag();
}

/// <summary>One request through <see cref="GitHubApiProxy"/>: method, path and query, Prism's status and the body sent.</summary>
internal sealed record ProxiedCall(string Method, string Path, int Status, string Body)
{
    public override string ToString() => $"{Method} {Path} -> {Status}";
}
