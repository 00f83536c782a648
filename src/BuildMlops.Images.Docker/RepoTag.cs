using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace BuildMlops.Images.Docker;

/// <summary>
/// A tagged image name as <c>docker load</c> takes it in manifest.json's RepoTags: <c>[registry[:port]/]path:tag</c>,
/// the path lowercase, the tag given (a RepoTag without one is refused by the engine, not defaulted to latest).
/// The grammar is the distribution reference one, without digests.
/// </summary>
internal static partial class RepoTag
{
    /// <summary>Splits <paramref name="value"/> into repository and tag.</summary>
    /// <exception cref="ArgumentException">It is not a tagged image name.</exception>
    public static (string Repository, string Tag) Parse(string value, [CallerArgumentExpression(nameof(value))] string? parameterName = null)
    {
        var match = value is null ? Match.Empty : Grammar().Match(value);
        if (!match.Success || match.Groups["repository"].Length > 255)
        {
            throw new ArgumentException(
                $"'{value}' is not a tagged image name: it needs the form name:tag (e.g. churn:1.0.0 or registry.example.org/team/churn:1.0.0), with a lowercase name",
                parameterName);
        }

        return (match.Groups["repository"].Value, match.Groups["tag"].Value);
    }

    // The pieces of the grammar. A first component is a registry only with a '.' or a port, or as localhost,
    // as the docker CLI decides it; otherwise it is part of the (lowercase) path.
    private const string DomainLabel = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private const string Registry = "(?:localhost(?::[0-9]+)?|" + DomainLabel + "(?:\\." + DomainLabel + ")+(?::[0-9]+)?|" + DomainLabel + ":[0-9]+)";
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string Tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

    [GeneratedRegex("^(?<repository>(?:" + Registry + "/)?" + PathComponent + "(?:/" + PathComponent + ")*):(?<tag>" + Tag + ")$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
