using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace BuildMlops.Images.Registry;

/// <summary>A registry's <c>WWW-Authenticate</c> answer: <c>Basic realm="…"</c>, or <c>Bearer realm="…",service="…",scope="…"</c>
/// naming the token service to get a token from.</summary>
internal sealed partial record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>The scopes the registry says it needs, space separated in the header.</summary>
    public IEnumerable<string> Scopes => (Parameters.GetValueOrDefault("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first challenge the client can answer: Bearer (with a realm) before Basic; null when there is none.</summary>
    public static AuthenticationChallenge? From(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        var challenges = headers.Select(header => new AuthenticationChallenge(header.Scheme, ParseParameters(header.Parameter ?? ""))).ToList();
        return challenges.FirstOrDefault(challenge => challenge.IsBearer && challenge.Realm is not null)
            ?? challenges.FirstOrDefault(challenge => challenge.IsBasic);
    }

    // name=value or name="quoted, with \" escapes", comma separated (RFC 7235 auth-params).
    [GeneratedRegex(@"([A-Za-z0-9_-]+)\s*=\s*(?:""((?:[^""\\]|\\.)*)""|([^,\s]*))")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\\(.)")]
    private static partial Regex QuotedPair();

    private static Dictionary<string, string> ParseParameters(string text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in Parameter().Matches(text))
        {
            var value = match.Groups[2].Success ? QuotedPair().Replace(match.Groups[2].Value, "$1") : match.Groups[3].Value;
            parameters.TryAdd(match.Groups[1].Value, value);
        }

        return parameters;
    }
}
