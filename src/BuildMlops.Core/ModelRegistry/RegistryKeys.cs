namespace BuildMlops.ModelRegistry;

/// <summary>
/// Where the registry keeps things on its store, under <c>registry/</c> beside a remote's <c>files/</c> and
/// <c>runs/</c>. Each model has its own folder, so models contend only for the catalog, once each.
/// <code>
/// registry/models.json                              the model names (compare-and-swap)
/// registry/&lt;model&gt;/versions/000003/claim.json      the number's claim, written first
/// registry/&lt;model&gt;/versions/000003/model.zip …      the version's files
/// registry/&lt;model&gt;/versions/000003/version.json    written last: the version exists once this does
/// registry/&lt;model&gt;/aliases.json                    where every alias points (compare-and-swap)
/// registry/&lt;model&gt;/audit/00000007.json             one alias move each, never changed
/// registry/&lt;model&gt;/index/&lt;fingerprint&gt;.json        which version holds these bytes (for re-registration)
/// </code>
/// Nothing is ever listed: version and event numbers are claimed one after another from 1, so the
/// highest is found by probing keys, and the catalog and alias table name the rest.
/// </summary>
internal static class RegistryKeys
{
    public const string Root = "registry/";

    public const string VersionManifest = "version.json";

    public const string Claim = "claim.json";

    public static string Model(string model) => $"{Root}{model}/";

    public static string Versions(string model) => $"{Model(model)}versions/";

    public static string VersionFile(string model, int version, string file) => $"{Versions(model)}{RegistryNames.VersionFolder(version)}/{file}";

    public const string Catalog = Root + "models.json";

    public static string Aliases(string model) => $"{Model(model)}aliases.json";

    public static string Audit(string model) => $"{Model(model)}audit/";

    public static string AuditEvent(string model, long sequence) => $"{Audit(model)}{sequence.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)}.json";

    public static string Index(string model, string fingerprint) => $"{Model(model)}index/{fingerprint}.json";

    /// <summary>A throw-away key for probing whether the store honours conditional writes; never a model (dot first).</summary>
    public static string Probe() => $"{Root}.probe-{Guid.NewGuid():N}";
}
