using Cake.Core;
using Cake.Core.Annotations;

namespace BuildMlops.Cake;

public static partial class MlopsAliases
{
    /// <summary>
    /// Downloads the tracked data the pointer files name from the default remote and checks it out:
    /// <c>mlops pull</c>. Run records are not pulled ahead: a build asks the remote's run cache for the
    /// steps it needs.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="settings"><see cref="MlopsSettings.MlopsPath"/> and tool settings (the working directory picks the repository); null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsDataPull();
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsDataPull(this ICakeContext context, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Cli(nameof(MlopsDataPull), settings, "pull");
    }

    /// <summary>
    /// Uploads the cache objects the pointer files need to the default remote, and with
    /// <paramref name="runCache"/> every local run record, so that other machines restore those steps
    /// instead of running them: <c>mlops push [--run-cache]</c>.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="runCache">Also push the run cache.</param>
    /// <param name="settings"><see cref="MlopsSettings.MlopsPath"/> and tool settings; null for the defaults.</param>
    /// <example>
    /// <code>
    /// MlopsDataPush(runCache: true);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void MlopsDataPush(this ICakeContext context, bool runCache, MlopsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        new MlopsRunner(context).Cli(nameof(MlopsDataPush), settings, runCache ? ["push", "--run-cache"] : ["push"]);
    }
}
