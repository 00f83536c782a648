// The build's own defaults, from the [BuildMlops] section of cake.config. Cake reads any section of
// that file and exposes it as Context.Configuration.GetValue("<Section>_<Key>") (case-insensitive).
// --buildmlops_<key>=<value> overrides a value for one run; CAKE_BUILDMLOPS_<KEY> in the environment
// only supplies a key the file does not set (Cake ranks switch, then file, then environment).

// A [BuildMlops] value, or null when the key is absent. (Cake's INI reader refuses an empty value, so
// cake.config leaves an unset key commented out rather than writing `Key=`.)
string BuildMlopsSetting(string key)
{
    var value = Context.Configuration.GetValue("BuildMlops_" + key);
    return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

// Where Push and Release push: --registry, else MLOPS_REGISTRY, else [BuildMlops] Registry; null if none.
string ImageRegistry()
{
    if (!string.IsNullOrWhiteSpace(registryArgument))
    {
        return registryArgument.Trim();
    }
    var fromEnvironment = EnvironmentVariable("MLOPS_REGISTRY");
    return string.IsNullOrWhiteSpace(fromEnvironment) ? BuildMlopsSetting("Registry") : fromEnvironment.Trim();
}

// [BuildMlops] InsecureRegistries: host:port entries reached over plain HTTP (MlopsInsecureRegistries),
// separated by commas or semicolons.
IReadOnlyList<string> InsecureRegistries() =>
    (BuildMlopsSetting("InsecureRegistries") ?? "")
        .Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .ToList();

// [BuildMlops] ReleasePromotion: `<tag pattern>:<alias>` pairs separated by commas, tried in order; the
// first pattern that matches the whole tag (`*` is any run of characters) names the alias Release
// promotes to. Default: release candidates to staging, every other v* tag to production.
const string DefaultReleasePromotion = "v*-rc*:staging, v*:production";

// The alias Release promotes a tag to, or null when no pattern matches (then Release promotes nothing).
string ReleaseAliasFor(string tag)
{
    var rules = BuildMlopsSetting("ReleasePromotion") ?? DefaultReleasePromotion;
    foreach (var rule in rules.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        var separator = rule.LastIndexOf(':');
        if (separator <= 0 || separator == rule.Length - 1)
        {
            throw new Exception($"[BuildMlops] ReleasePromotion: '{rule}' is not <tag pattern>:<alias> (e.g. v*-rc*:staging).");
        }
        var pattern = "^" + System.Text.RegularExpressions.Regex.Escape(rule[..separator].Trim()).Replace("\\*", ".*") + "$";
        if (System.Text.RegularExpressions.Regex.IsMatch(tag, pattern))
        {
            return rule[(separator + 1)..].Trim();
        }
    }
    return null;
}
