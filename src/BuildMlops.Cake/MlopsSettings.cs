using Cake.Core.IO;
using Cake.Core.Tooling;

namespace BuildMlops.Cake;

/// <summary>
/// Settings of every BuildMlops alias. The MSBuild ones (<see cref="Configuration"/>,
/// <see cref="Properties"/>, the image settings) apply to the aliases that run <c>dotnet build</c>;
/// <see cref="MlopsPath"/> to those that run the <c>mlops</c> CLI. The inherited
/// <see cref="ToolSettings"/> work as for any Cake tool: <see cref="ToolSettings.ToolPath"/> is the
/// <c>dotnet</c> executable, <see cref="ToolSettings.WorkingDirectory"/> where the command runs (the
/// registry and data commands find the repository from it), <see cref="ToolSettings.EnvironmentVariables"/>,
/// <see cref="ToolSettings.ToolTimeout"/> and <see cref="ToolSettings.ArgumentCustomization"/>.
/// </summary>
public sealed class MlopsSettings : ToolSettings
{
    /// <summary>The MSBuild configuration, passed as <c>-c</c>; none by default (the project's own default).</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// MSBuild properties, each passed as <c>-p:Name=Value</c> (e.g. <c>MlopsSeed</c>). A value may hold
    /// <c>;</c> or <c>,</c>: it is escaped so that MSBuild sees one property, as a list property such as
    /// <c>MlopsImageTags</c> expects.
    /// </summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// When false (the default), <c>-nodeReuse:false</c> is passed: a build node left running would keep
    /// the SDK's task assembly loaded, and a later build would run that old copy.
    /// </summary>
    public bool NodeReuse { get; set; }

    /// <summary>
    /// The <c>mlops</c> CLI to run: a path to <c>mlops.dll</c>, run with <c>dotnet</c>. Null (the default)
    /// runs the local tool, <c>dotnet mlops</c>, as installed by <c>dotnet tool install BuildMlops.Tool</c>
    /// into the repository's tool manifest.
    /// </summary>
    public FilePath? MlopsPath { get; set; }

    /// <summary>Where <c>MlopsPush</c> pushes (<c>MlopsImageRegistry</c>), e.g. <c>ghcr.io/my-org</c>.</summary>
    public string? ImageRegistry { get; set; }

    /// <summary>The image's main tag (<c>MlopsImageTag</c>); by default the project's version.</summary>
    public string? ImageTag { get; set; }

    /// <summary>More tags to push (<c>MlopsImageTags</c>), e.g. <c>latest</c>.</summary>
    public ICollection<string> ImageTags { get; } = new List<string>();

    /// <summary>Registries reached over plain HTTP (<c>MlopsInsecureRegistries</c>): <c>host:port</c> entries of local or test registries only.</summary>
    public ICollection<string> InsecureRegistries { get; } = new List<string>();

    /// <summary>Sets an MSBuild property and returns these settings, for chaining.</summary>
    public MlopsSettings WithProperty(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        Properties[name] = value;
        return this;
    }
}
