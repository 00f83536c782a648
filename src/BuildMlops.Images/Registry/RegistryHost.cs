namespace BuildMlops.Images.Registry;

/// <summary>Where a registry's distribution API is: <c>https://host/v2/</c>, or <c>http://</c> for one listed as insecure.</summary>
internal sealed record RegistryHost(string Name, Uri BaseUri)
{
    public bool IsInsecure => BaseUri.Scheme == Uri.UriSchemeHttp;

    public static RegistryHost For(string registry, IReadOnlyCollection<string> insecureRegistries)
    {
        // Docker Hub's references say docker.io; its API answers elsewhere.
        var apiHost = registry == ImageReference.DockerHub ? ImageReference.DockerHubApiHost : registry;
        var insecure = insecureRegistries.Any(entry => string.Equals(Normalize(entry), registry, StringComparison.OrdinalIgnoreCase));
        return new RegistryHost(registry, new Uri($"{(insecure ? "http" : "https")}://{apiHost}/v2/"));
    }

    public Uri Manifest(string repository, string reference) => new(BaseUri, $"{repository}/manifests/{reference}");

    public Uri Blob(string repository, string digest) => new(BaseUri, $"{repository}/blobs/{digest}");

    public Uri Uploads(string repository, string query = "") => new(BaseUri, $"{repository}/blobs/uploads/{query}");

    /// <summary>An entry may be written as a URL ("http://host:port/"), a reference would not be.</summary>
    private static string Normalize(string entry)
    {
        var text = entry.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return (scheme >= 0 ? text[(scheme + 3)..] : text).TrimEnd('/');
    }
}
