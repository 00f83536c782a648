using Cake.Core;
using Cake.Core.IO;

namespace BuildMlops.Cake;

/// <summary>
/// The command lines the aliases run, built apart from running them so that a test can read them.
/// Every rule of what a target or command does lives in the SDK and the CLI; this only spells the call.
/// </summary>
internal static class MlopsArguments
{
    /// <summary>
    /// <c>build &lt;project&gt; [-t:&lt;target&gt;] [-c &lt;configuration&gt;] [-nodeReuse:false] [-p:Name=Value…]</c>:
    /// the image settings, then <see cref="MlopsSettings.Properties"/>, then <paramref name="aliasProperties"/>
    /// (what the alias itself stands for, e.g. <c>MlopsVerify=true</c>); a later value of a name replaces an
    /// earlier one in its place.
    /// </summary>
    public static ProcessArgumentBuilder Build(FilePath project, string? target, MlopsSettings settings, IEnumerable<KeyValuePair<string, string>> aliasProperties)
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("build");
        AppendValue(builder, project.FullPath);
        if (!string.IsNullOrWhiteSpace(target))
        {
            builder.Append("-t:" + target);
        }

        if (!string.IsNullOrWhiteSpace(settings.Configuration))
        {
            builder.Append("-c");
            AppendValue(builder, settings.Configuration);
        }

        if (!settings.NodeReuse)
        {
            builder.Append("-nodeReuse:false");
        }

        foreach (var (name, value) in MergeProperties(settings, aliasProperties))
        {
            AppendValue(builder, $"-p:{name}={EscapePropertyValue(value)}");
        }

        return builder;
    }

    /// <summary>
    /// <c>mlops &lt;arguments&gt;</c> as run by <c>dotnet</c>: <c>dotnet mlops …</c> (the local tool) or
    /// <c>dotnet &lt;MlopsPath&gt; …</c>.
    /// </summary>
    public static ProcessArgumentBuilder Cli(MlopsSettings settings, ICakeEnvironment environment, params string[] arguments)
    {
        var builder = new ProcessArgumentBuilder();
        if (settings.MlopsPath is { } path)
        {
            if (!path.FullPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                throw new CakeException($"MlopsSettings.MlopsPath must name mlops.dll, which dotnet runs; got '{path.FullPath}'. Leave it null to run the local tool (dotnet mlops).");
            }

            AppendValue(builder, path.MakeAbsolute(environment).FullPath);
        }
        else
        {
            builder.Append("mlops");
        }

        foreach (var argument in arguments)
        {
            AppendValue(builder, argument);
        }

        return builder;
    }

    /// <summary>
    /// MSBuild splits <c>-p:</c> values at <c>;</c> and <c>,</c> and reads <c>%XX</c> as an escape, so
    /// those three characters are escaped: <c>MlopsImageTags=latest;stable</c> stays one property whose
    /// value is the list <c>latest;stable</c>.
    /// </summary>
    public static string EscapePropertyValue(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace(";", "%3B", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    private static List<KeyValuePair<string, string>> MergeProperties(MlopsSettings settings, IEnumerable<KeyValuePair<string, string>> aliasProperties)
    {
        var merged = new List<KeyValuePair<string, string>>();
        void Set(string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            var index = merged.FindIndex(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                merged[index] = new(name, value);
            }
            else
            {
                merged.Add(new(name, value));
            }
        }

        Set("MlopsImageRegistry", NullIfBlank(settings.ImageRegistry));
        Set("MlopsImageTag", NullIfBlank(settings.ImageTag));
        Set("MlopsImageTags", settings.ImageTags.Count == 0 ? null : string.Join(";", settings.ImageTags));
        Set("MlopsInsecureRegistries", settings.InsecureRegistries.Count == 0 ? null : string.Join(";", settings.InsecureRegistries));
        foreach (var (name, value) in settings.Properties)
        {
            Set(name, value);
        }

        // Last: what the alias itself stands for (MlopsVerify's MlopsVerify=true, MlopsPush's registry argument).
        foreach (var (name, value) in aliasProperties)
        {
            Set(name, value);
        }

        return merged;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Quotes an argument only when the shell would split it, so logged command lines stay readable.</summary>
    private static void AppendValue(ProcessArgumentBuilder builder, string value)
    {
        if (value.Length == 0 || value.Any(character => char.IsWhiteSpace(character) || character == '"'))
        {
            // Windows' and .NET's rule for a quote inside a quoted argument.
            builder.AppendQuoted(value.Replace("\"", "\\\"", StringComparison.Ordinal));
        }
        else
        {
            builder.Append(value);
        }
    }
}
