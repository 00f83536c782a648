using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;

namespace BuildMlops.Cake;

public static partial class MlopsAliases
{
    /// <summary>
    /// Builds the model's OCI image (after its gates pass): <c>dotnet build &lt;project&gt; -t:MlopsPackage</c>.
    /// The image lands in the project's <c>bin/mlops/image/</c>; an unchanged model is not packaged again.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="settings">Image tag, MSBuild configuration and properties, tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsPackage("pipelines/churn", new MlopsSettings { ImageTag = "1.2.0" });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsPackage(this ICakeContext context, FilePath project, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Build(nameof(MlopsPackage), project, "MlopsPackage", settings);
    }

    /// <summary>
    /// Packages and pushes the model's image: <c>dotnet build &lt;project&gt; -t:MlopsPush
    /// -p:MlopsImageRegistry=&lt;registry&gt;</c>. Credentials come from <c>MLOPS_REGISTRY_USERNAME</c> and
    /// <c>MLOPS_REGISTRY_PASSWORD</c> or the Docker config (docs/registry.md).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="registry">The registry host and optional namespace, e.g. <c>ghcr.io/acme</c>.</param>
    /// <param name="settings">Image tags, insecure registries, MSBuild configuration and properties, tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsPush("pipelines/churn", "ghcr.io/acme");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsPush(this ICakeContext context, FilePath project, string registry, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(registry);
        // A registry named here wins over one in the settings: it is what the caller wrote last.
        new MlopsRunner(context).Build(nameof(MlopsPush), project, "MlopsPush", settings, new KeyValuePair<string, string>("MlopsImageRegistry", registry.Trim()));
    }

    /// <summary>
    /// Packages and pushes the model's image to <see cref="MlopsSettings.ImageRegistry"/> (or the
    /// project's own <c>MlopsImageRegistry</c>): <c>dotnet build &lt;project&gt; -t:MlopsPush</c>.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="settings">The registry, image tags, MSBuild configuration and properties, tool settings.</param>
    /// <example>
    /// <code>
    /// MlopsPush("pipelines/churn", new MlopsSettings { ImageRegistry = "127.0.0.1:5000", InsecureRegistries = { "127.0.0.1:5000" } });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsPush(this ICakeContext context, FilePath project, MlopsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        new MlopsRunner(context).Build(nameof(MlopsPush), project, "MlopsPush", settings);
    }
}
