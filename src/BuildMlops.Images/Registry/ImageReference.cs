using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// An image's name in a registry, as Docker reads one: <c>[registry[:port]/]repository[:tag][@sha256:hex]</c>.
/// A name without a registry is on Docker Hub (<c>docker.io</c>), where a single-segment name is an official
/// image under <c>library/</c>; the first segment is a registry only when it looks like a host (has a '.' or a
/// ':', or is <c>localhost</c>), so <c>acme/churn</c> is Docker Hub's acme/churn, not a host called acme.
/// </summary>
/// <param name="Registry">The registry host, with its port when it has one: <c>docker.io</c>, <c>ghcr.io</c>, <c>localhost:5000</c>.</param>
/// <param name="Repository">The repository path within the registry, lower case: <c>library/ubuntu</c>, <c>acme/churn</c>.</param>
/// <param name="Tag">The tag, or null when none was given (a digest alone, or neither).</param>
/// <param name="Digest">The manifest digest, <c>sha256:</c> and 64 hex digits, or null.</param>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Docker Hub as it appears in references; its API is at <see cref="DockerHubApiHost"/>.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The host that serves Docker Hub's distribution API.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    private const string TagRule = "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";

    private const string DigestRule = "sha256: and 64 lower-case hex digits";

    private const string Shape = "Write it as [registry[:port]/]repository[:tag][@sha256:<64 hex digits>], e.g. ghcr.io/acme/churn:1.2.0, localhost:5000/churn@sha256:<digest> or ubuntu:24.04; repository names are lower case";

    // Docker's reference grammar (distribution/reference): path components of lower-case letters and digits
    // joined by '.', '_', '__' or runs of '-'; tags of word characters, '.' and '-', up to 128.
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex PathComponent();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")]
    private static partial Regex RegistryPattern();

    /// <summary>Reads a reference by Docker's rules.</summary>
    /// <exception cref="MlopsException">BM7001 when <paramref name="text"/> is not a reference, with what one looks like.</exception>
    public static ImageReference Parse(string text) =>
        TryParse(text, out var reference, out var problem) ? reference : throw BadSetting($"'{text}' is not an image reference: {problem}");

    /// <summary>Reads a reference by Docker's rules; false (and null) when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference) =>
        TryParse(text, out reference, out _);

    /// <summary>The same image under another tag (the digest, if any, stays).</summary>
    public ImageReference WithTag(string tag) =>
        TagPattern().IsMatch(tag ?? "") ? this with { Tag = tag } : throw BadSetting($"'{tag}' is not an image tag: {TagRule}");

    /// <summary>The same image pinned to a manifest digest (the tag, if any, stays).</summary>
    public ImageReference WithDigest(string digest) =>
        DigestPattern().IsMatch(digest ?? "") ? this with { Digest = digest } : throw BadSetting($"'{digest}' is not a manifest digest: {DigestRule}");

    /// <summary>What to ask the registry's manifest endpoint for: the digest when pinned, else the tag, else "latest".</summary>
    public string ManifestReference => Digest ?? Tag ?? "latest";

    /// <summary>The canonical form, <c>registry/repository[:tag][@digest]</c>, with <c>docker.io</c> spelled out.</summary>
    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    private static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference, out string problem)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the reference is empty";
            return false;
        }

        if (text.Any(char.IsWhiteSpace))
        {
            problem = $"'{text}' has white space in it";
            return false;
        }

        string? digest = null;
        var remainder = text;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            remainder = text[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                problem = $"'{digest}' after '@' is not a digest ({DigestRule})";
                return false;
            }
        }

        // A ':' after the last '/' starts the tag; one before it belongs to the registry's port.
        string? tag = null;
        var colon = remainder.LastIndexOf(':');
        if (colon > remainder.LastIndexOf('/'))
        {
            tag = remainder[(colon + 1)..];
            remainder = remainder[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                problem = $"'{tag}' is not a tag ({TagRule})";
                return false;
            }
        }

        var registry = DockerHub;
        var path = remainder;
        var slash = remainder.IndexOf('/');
        if (slash > 0)
        {
            var first = remainder[..slash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost")
            {
                registry = first;
                path = remainder[(slash + 1)..];
                if (!RegistryPattern().IsMatch(registry))
                {
                    problem = $"'{registry}' is not a registry host[:port]";
                    return false;
                }
            }
        }

        // Docker Hub goes by several names; references and credentials all use docker.io.
        if (registry is "index.docker.io" or DockerHubApiHost)
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !path.Contains('/'))
        {
            path = "library/" + path;
        }

        if (path.Length == 0 || path.Split('/').Any(component => !PathComponent().IsMatch(component)))
        {
            problem = path.Any(char.IsUpper)
                ? $"repository '{path}' has upper-case letters; repository names are lower case"
                : $"repository '{path}' is not a repository name (lower-case letters and digits, separated by '/', '.', '_', '__' or '-')";
            return false;
        }

        if (registry.Length + 1 + path.Length > 255)
        {
            problem = $"the name '{registry}/{path}' is longer than 255 characters";
            return false;
        }

        reference = new ImageReference(registry, path, tag, digest);
        problem = "";
        return true;
    }

    // No file holds a reference given on a command line or in a property; the caller may relocate the error.
    private static MlopsException BadSetting(string message) =>
        new(ErrorCodes.BadImageSetting, new SourceLocation("mlops"), message, Shape);
}
