using System.Text;
using System.Text.Json.Nodes;

namespace BuildMlops.GitHub.Tests.Api;

/// <summary>A request Octokit sent, as it sent it, and how Prism (GitHub's API description) judged it.</summary>
/// <param name="Url">The URL Octokit addressed (api.github.com, the uploads host, an Enterprise base), before it was sent to Prism.</param>
/// <param name="PrismStatus">Prism's status: 2xx when the request matches the description.</param>
/// <param name="PreferredStatus">The status the test asked Prism for with <c>Prefer: code=N</c>, or 0.</param>
/// <param name="Violations">What Prism found wrong (its sl-violations header and error body), if anything.</param>
/// <param name="Status">What Octokit finally got (a test can replace Prism's answer, e.g. with the fork's 403).</param>
internal sealed record RecordedCall(HttpMethod Method, Uri Url, string? Authorization, string? UserAgent, string? ContentType, byte[] Body, int PrismStatus, int PreferredStatus, string? Violations, int Status)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException($"{Method} {Url} sent no JSON");

    /// <summary>Prism found the request valid: it answered 2xx, or the documented status the test asked for.</summary>
    public bool Accepted => PrismStatus is >= 200 and < 300 || PrismStatus == PreferredStatus;

    /// <summary>The path below the API base, e.g. <c>/repos/acme/models/issues/42/comments</c>.</summary>
    public string Path => Url.AbsolutePath;

    public override string ToString() => $"{Method} {Url} ({ContentType}) -> prism {PrismStatus}{(Violations is null ? "" : " " + Violations)}";
}
