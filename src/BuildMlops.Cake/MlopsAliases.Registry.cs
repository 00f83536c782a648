using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;

namespace BuildMlops.Cake;

public static partial class MlopsAliases
{
    /// <summary>
    /// Registers the gated model as a new version in the model registry (the default remote, else
    /// <c>.mlops/registry</c>): <c>dotnet build &lt;project&gt; -t:MlopsRegister</c>. The same model again
    /// gets the existing version back. With <c>MlopsPackage=true</c> in the settings' properties the
    /// image is packaged first and its digest goes into the version's lineage.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="settings">MSBuild configuration, properties and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsRegister("pipelines/churn");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsRegister(this ICakeContext context, FilePath project, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Build(nameof(MlopsRegister), project, "MlopsRegister", settings);
    }

    /// <summary>
    /// Points a registry alias (e.g. <c>production</c>) at a version whose gates passed, recording who,
    /// when and why in the audit log: <c>mlops registry promote &lt;model&gt; &lt;version&gt; &lt;alias&gt; --reason &lt;reason&gt;</c>.
    /// The registry is the one of the repository around <see cref="global::Cake.Core.Tooling.ToolSettings.WorkingDirectory"/>
    /// (default: the script's folder).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="model">The model's name in the registry (<c>MlopsModelName</c>, by default the project name in lower case).</param>
    /// <param name="version">A version number, another alias or <c>latest</c>.</param>
    /// <param name="alias">The alias to move, e.g. <c>production</c> or <c>staging</c>.</param>
    /// <param name="reason">Why, for the audit log; required, since an unexplained promotion cannot be reviewed later.</param>
    /// <param name="settings"><see cref="MlopsSettings.MlopsPath"/> and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsPromote("churn", "3", "production", "release 1.2.0");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsPromote(this ICakeContext context, string model, string version, string alias, string reason, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        new MlopsRunner(context).Cli(nameof(MlopsPromote), settings, "registry", "promote", model, version, alias, "--reason", reason);
    }

    /// <summary>
    /// Moves a registry alias back to the version it pointed at before its last move:
    /// <c>mlops registry rollback &lt;model&gt; &lt;alias&gt; --reason &lt;reason&gt;</c>.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="model">The model's name in the registry.</param>
    /// <param name="alias">The alias to move back, e.g. <c>production</c>.</param>
    /// <param name="reason">Why, for the audit log (required by the command).</param>
    /// <param name="settings"><see cref="MlopsSettings.MlopsPath"/> and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsRollback("churn", "production", "1.2.0 misroutes EU traffic");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsRollback(this ICakeContext context, string model, string alias, string reason, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        new MlopsRunner(context).Cli(nameof(MlopsRollback), settings, "registry", "rollback", model, alias, "--reason", reason);
    }
}
