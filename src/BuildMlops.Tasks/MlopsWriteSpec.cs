using BuildMlops.Diagnostics;
using BuildMlops.IO;
using BuildMlops.Spec;
using Microsoft.Build.Framework;

namespace BuildMlops.Tasks;

/// <summary>
/// Writes the project's BuildMlops settings to the spec file the steps read, and checks them, so a
/// bad setting fails the build before any data is read. The file is rewritten only when it changes.
/// MSBuild surface: docs/reference.md, target MlopsWriteSpec.
/// </summary>
public sealed class MlopsWriteSpec : Microsoft.Build.Utilities.Task
{
    [Required]
    public string ProjectFile { get; set; } = "";

    /// <summary>One item per property: Include is the name, metadata Value the value.</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>MlopsData, MlopsGate, MlopsHyperparameter and MlopsColumn items, with metadata ItemType.</summary>
    public ITaskItem[] Items { get; set; } = [];

    [Required]
    public string SpecFile { get; set; } = "";

    public override bool Execute()
    {
        var raw = new RawSpec { ProjectFile = ProjectFile };
        foreach (var setting in Settings)
        {
            raw.Properties[setting.ItemSpec] = setting.GetMetadata("Value");
        }

        foreach (var item in Items)
        {
            var itemType = item.GetMetadata("ItemType");
            if (!SettingNames.Items.TryGetValue(itemType, out var metadataNames))
            {
                continue;
            }

            var rawItem = new RawItem { Include = item.ItemSpec };
            foreach (var name in metadataNames)
            {
                var value = item.GetMetadata(name);
                if (value.Length > 0)
                {
                    rawItem.Metadata[name] = value;
                }
            }

            if (!raw.Items.TryGetValue(itemType, out var list))
            {
                raw.Items[itemType] = list = [];
            }

            list.Add(rawItem);
        }

        try
        {
            // The image settings too: a bad tag or base fails the build here, not after training.
            BuildMlops.Images.Package.ImageSettings.Parse(raw, ModelSpecParser.Parse(raw));
        }
        catch (MlopsException error)
        {
            new MSBuildLog(Log, string.Equals(raw.Property(SettingNames.GitHubActions), "true", StringComparison.OrdinalIgnoreCase)).Error(error);
            return false;
        }

        AtomicFile.WriteAllTextIfChanged(SpecFile, raw.ToJson());
        return true;
    }
}
