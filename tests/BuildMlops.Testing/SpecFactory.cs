using BuildMlops.Spec;

namespace BuildMlops.Testing;

/// <summary>
/// Model specs for tests that run steps without MSBuild: the SDK's documented defaults (Sdk.props),
/// a project file written to a temporary directory, and whatever the test overrides.
/// </summary>
public static class SpecFactory
{
    public static RawSpec Raw(string projectDirectory, string label, string task, IEnumerable<string> dataFiles, IReadOnlyDictionary<string, string>? properties = null)
    {
        var projectFile = Path.Combine(projectDirectory, "model.csproj");
        if (!File.Exists(projectFile))
        {
            File.WriteAllText(projectFile, "<Project />\n");
        }

        var raw = new RawSpec { ProjectFile = projectFile };
        var defaults = new Dictionary<string, string>
        {
            [SettingNames.Task] = task,
            [SettingNames.Label] = label,
            [SettingNames.Trainer] = "FastTree",
            [SettingNames.Seed] = "42",
            [SettingNames.TestFraction] = "0.2",
            [SettingNames.Threads] = "1",
            [SettingNames.Separator] = ",",
            [SettingNames.MissingValues] = "NA;N/A;NaN;null;NULL",
            [SettingNames.MissingPolicy] = "Mean",
            [SettingNames.OutputPath] = "bin/mlops/",
            [SettingNames.IntermediatePath] = "obj/mlops/",
            [SettingNames.LockFile] = "mlops.lock.json",
            [SettingNames.Verify] = "false",
        };
        foreach (var (name, value) in properties ?? new Dictionary<string, string>())
        {
            defaults[name] = value;
        }

        foreach (var (name, value) in defaults)
        {
            raw.Properties[name] = value;
        }

        raw.Items[SettingNames.DataItem] = [.. dataFiles.Select(file => new RawItem { Include = file })];
        return raw;
    }

    public static void AddItem(RawSpec raw, string itemType, string include, params (string Name, string Value)[] metadata)
    {
        if (!raw.Items.TryGetValue(itemType, out var items))
        {
            raw.Items[itemType] = items = [];
        }

        var item = new RawItem { Include = include };
        foreach (var (name, value) in metadata)
        {
            item.Metadata[name] = value;
        }

        items.Add(item);
    }
}
