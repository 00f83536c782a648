using Cake.Core.Annotations;

namespace BuildMlops.Cake;

/// <summary>
/// <para>
/// Cake aliases for BuildMlops model projects: train, verify, package, push, register and promote a
/// model from a <c>build.cake</c>. Load them with <c>#r "path/to/BuildMlops.Cake.dll"</c>.
/// </para>
/// <para>
/// Each alias is one command: the project aliases run <c>dotnet build &lt;project&gt; -t:Mlops…</c>
/// (the SDK's targets decide what runs and what is up to date), the registry and data aliases run the
/// <c>mlops</c> CLI. A failing command (a failed gate, a push the registry refused) fails the task.
/// </para>
/// </summary>
/// <example>
/// <code>
/// #r "tools/BuildMlops.Cake.dll"
///
/// Task("Release").Does(() =>
/// {
///     var settings = new MlopsSettings { Configuration = "Release", ImageRegistry = "ghcr.io/acme", ImageTag = "1.2.0" };
///     MlopsVerify("models/churn/churn.csproj", settings);
///     MlopsPush("models/churn/churn.csproj", settings);
///     MlopsRegister("models/churn/churn.csproj", settings);
///     MlopsPromote("churn", "latest", "production", "release 1.2.0");
/// });
/// </code>
/// </example>
[CakeAliasCategory("BuildMlops")]
[CakeNamespaceImport("BuildMlops.Cake")]
public static partial class MlopsAliases
{
}
