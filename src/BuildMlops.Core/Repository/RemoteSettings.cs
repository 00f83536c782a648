namespace BuildMlops.Repository;

/// <summary>
/// One remote in <c>.mlops/config.json</c>: its url (a folder path, or <c>s3://bucket/prefix</c>) and
/// options such as <c>endpoint</c>, <c>region</c> or <c>path_style</c>. Never credentials: those come
/// from the environment (the AWS credential chain), so the config can be committed.
/// </summary>
public sealed class RemoteSettings
{
    public string Url { get; set; } = "";

    public SortedDictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The url's scheme (<c>s3</c>), or empty for a folder.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Scheme
    {
        get
        {
            var separator = Url.IndexOf("://", StringComparison.Ordinal);
            return separator > 1 ? Url[..separator].ToLowerInvariant() : "";
        }
    }
}
