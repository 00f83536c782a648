using System.Net;
using System.Text;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests.Api;

/// <summary>
/// The HTTP handler under Octokit in these tests: records each request as sent, then sends it to Prism whatever host
/// it named (api.github.com, uploads.github.com, an Enterprise base whose <c>/api/v3</c> prefix it strips, as Prism
/// serves api.github.com's paths at its root). Hooks let a test pick one of a response the description documents
/// (<c>Prefer: code=404</c>), rewrite Prism's example answer into the state it needs (a listed comment carrying the
/// marker), or answer writes 403 as GitHub does to a fork's token, after Prism has judged them.
/// </summary>
internal sealed class ApiRecorder : DelegatingHandler
{
    private readonly Uri prism;
    private readonly string? stripPrefix;
    private readonly List<RecordedCall> calls = [];

    public ApiRecorder(Uri prism, string? stripPrefix = null)
        : base(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        this.prism = prism;
        this.stripPrefix = stripPrefix;
    }

    /// <summary>Changes the request to Prism before it goes (e.g. adds <c>Prefer: code=404</c>).</summary>
    public Action<HttpRequestMessage>? BeforeSend { get; set; }

    /// <summary>Replaces Prism's answer; gets the URL Octokit addressed and Prism's response, whose body it may read.</summary>
    public Func<Uri, HttpResponseMessage, Task<HttpResponseMessage>>? AfterSend { get; set; }

    /// <summary>Answer every request but a GET with GitHub's 403 for a read-only token (after Prism accepted it).</summary>
    public bool ReadOnlyToken { get; set; }

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (calls)
            {
                return calls.ToList();
            }
        }
    }

    public IEnumerable<RecordedCall> Writes => Calls.Where(call => call.Method != HttpMethod.Get);

    /// <summary>Fails the test unless Prism accepted every request: each one matched GitHub's API description.</summary>
    public void AssertAllAccepted()
    {
        var rejected = Calls.Where(call => !call.Accepted).ToList();
        Assert.That(rejected, Is.Empty, "requests that break GitHub's API description:\n" + string.Join("\n", rejected));
    }

    /// <summary>A JSON response like GitHub's, for <see cref="AfterSend"/>.</summary>
    public static HttpResponseMessage Json(HttpStatusCode status, string json, HttpResponseMessage? like = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json"), RequestMessage = like?.RequestMessage };
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri!;
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var path = original.AbsolutePath;
        if (stripPrefix is not null && path.StartsWith(stripPrefix + "/", StringComparison.Ordinal))
        {
            path = path[stripPrefix.Length..];
        }

        using var forwarded = new HttpRequestMessage(request.Method, new Uri(prism, path.TrimStart('/') + original.Query));
        foreach (var header in request.Headers.Where(header => header.Key != "Host"))
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        // GitHub answers its own media types (application/vnd.github+json, which Octokit asks for) with
        // application/json, but its API description lists only application/json, so Prism's content negotiation
        // would answer 406: ask Prism for what GitHub actually sends.
        if (forwarded.Headers.Accept.Any(accept => accept.MediaType?.StartsWith("application/vnd.github", StringComparison.Ordinal) == true))
        {
            forwarded.Headers.Accept.Clear();
            forwarded.Headers.Accept.ParseAdd("application/json");
        }

        if (request.Content is not null)
        {
            forwarded.Content = new ByteArrayContent(body);
            foreach (var header in request.Content.Headers)
            {
                forwarded.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        BeforeSend?.Invoke(forwarded);
        var preferred = forwarded.Headers.TryGetValues("Prefer", out var prefer) ? prefer.Select(PreferredCode).FirstOrDefault(code => code > 0) : 0;
        var response = await base.SendAsync(forwarded, cancellationToken);
        var prismStatus = (int)response.StatusCode;
        var violations = prismStatus is >= 200 and < 300 || prismStatus == preferred ? null : await Violations(response, cancellationToken);

        // Prism's list answers carry GitHub's example Link header, pointing at https://api.github.com/resource?page=2,
        // a page that exists nowhere: Octokit would follow it. A test that wants pages writes its own Link.
        response.Headers.Remove("Link");
        if (ReadOnlyToken && request.Method != HttpMethod.Get)
        {
            response.Dispose();
            response = Json(HttpStatusCode.Forbidden, """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}""");
        }
        else if (AfterSend is not null)
        {
            response = await AfterSend(original, response);
        }

        response.RequestMessage = request;
        lock (calls)
        {
            calls.Add(new RecordedCall(
                request.Method,
                original,
                request.Headers.Authorization?.ToString(),
                request.Headers.UserAgent.ToString(),
                request.Content?.Headers.ContentType?.ToString(),
                body,
                prismStatus,
                preferred,
                violations,
                (int)response.StatusCode));
        }

        return response;
    }

    private static int PreferredCode(string prefer) =>
        prefer.StartsWith("code=", StringComparison.Ordinal) && int.TryParse(prefer["code=".Length..], out var code) ? code : 0;

    private static async Task<string> Violations(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var header = response.Headers.TryGetValues("sl-violations", out var values) ? string.Join(" ", values) : "";
        var content = await response.Content.ReadAsStringAsync(cancellationToken);
        response.Content = new StringContent(content, Encoding.UTF8, response.Content.Headers.ContentType?.MediaType ?? "application/json");
        return $"{header} {content}".Trim();
    }
}
