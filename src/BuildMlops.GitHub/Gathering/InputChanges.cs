using BuildMlops.ModelRegistry;

namespace BuildMlops.GitHub.Gathering;

/// <summary>
/// What changed in a model's inputs between a registered version and this build: data files by hash, and parameters
/// (<c>param:</c>, <c>hyperparameter:</c>, <c>column:</c> dependencies of the train step), named as
/// <c>ChangeDescriber</c> names them in the build log.
/// </summary>
public static class InputChanges
{
    /// <summary>
    /// The train step's dependencies a version was registered with, rebuilt from its lineage.json (which the
    /// registration copies from the lock file's train stage), so the production model's lock file need not be fetched.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DepsOf(Lineage lineage)
    {
        var deps = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var data in lineage.Data)
        {
            deps["data:" + data.Name] = data.Hash;
        }

        foreach (var (name, value) in lineage.Parameters)
        {
            deps["param:" + name] = value;
        }

        foreach (var (name, value) in lineage.Hyperparameters)
        {
            deps["hyperparameter:" + name] = value;
        }

        foreach (var (name, value) in lineage.Columns)
        {
            deps["column:" + name] = value;
        }

        return deps;
    }

    /// <summary>Data changes (hashes cut to 12 hex digits) and parameter changes, each sorted by name.</summary>
    public static (IReadOnlyList<ReportChange> Data, IReadOnlyList<ReportChange> Parameters) Compare(IReadOnlyDictionary<string, string> production, IReadOnlyDictionary<string, string> current)
    {
        var data = new List<ReportChange>();
        var parameters = new List<ReportChange>();
        foreach (var name in production.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
        {
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var kind = name[..colon];
            var what = name[(colon + 1)..];
            var before = production.GetValueOrDefault(name);
            var after = current.GetValueOrDefault(name);
            if (before == after)
            {
                continue;
            }

            switch (kind)
            {
                case "data":
                    data.Add(new ReportChange(what, Short(before), Short(after)));
                    break;
                case "param":
                    parameters.Add(new ReportChange(what, before, after));
                    break;
                case "hyperparameter":
                    parameters.Add(new ReportChange(what, before, after) { Kind = "hyperparameter" });
                    break;
                case "column":
                    parameters.Add(new ReportChange(what, before, after) { Kind = "column setting" });
                    break;

                // version:, in:, gate: dependencies are the tools' and steps' business, not the model's inputs.
            }
        }

        return (data, parameters);
    }

    private static string? Short(string? hash) => hash is null ? null : HashData.ContentId.Abbreviate(hash);
}
