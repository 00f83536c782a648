using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;

namespace BuildMlops.Cake;

public static partial class MlopsAliases
{
    /// <summary>
    /// Trains, evaluates and gates a model project: <c>dotnet build &lt;project&gt;</c>. Every step that is
    /// up to date (or recorded in the run cache) is skipped; a failed gate fails the task.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="settings">MSBuild configuration, properties and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsTrain("pipelines/churn/churn.csproj");
    /// MlopsTrain("pipelines/churn", new MlopsSettings().WithProperty("MlopsSeed", "7"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsTrain(this ICakeContext context, FilePath project, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Build(nameof(MlopsTrain), project, target: null, settings);
    }

    /// <summary>
    /// Retrains a model project from scratch and requires the outputs its <c>mlops.lock.json</c> records:
    /// <c>dotnet build &lt;project&gt; -p:MlopsVerify=true</c>. Fails (BM3001) when a step does not reproduce.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="settings">MSBuild configuration, properties and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsVerify("pipelines/churn/churn.csproj", new MlopsSettings { Configuration = "Release" });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsVerify(this ICakeContext context, FilePath project, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Build(nameof(MlopsVerify), project, target: null, settings, new KeyValuePair<string, string>("MlopsVerify", "true"));
    }

    /// <summary>
    /// Runs any target of a model project: <c>dotnet build &lt;project&gt; -t:&lt;target&gt;</c>, e.g.
    /// <c>MlopsGate</c>, <c>MlopsSmokeTest</c> or one of your own.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="project">The model project: its <c>.csproj</c> or its folder.</param>
    /// <param name="target">The MSBuild target(s), <c>;</c>-separated.</param>
    /// <param name="settings">MSBuild configuration, properties and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsRunTarget("pipelines/churn", "MlopsSmokeTest");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsRunTarget(this ICakeContext context, FilePath project, string target, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        new MlopsRunner(context).Build(nameof(MlopsRunTarget), project, target, settings);
    }
}
