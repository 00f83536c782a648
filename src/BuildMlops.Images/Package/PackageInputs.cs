using System.Globalization;
using System.Text;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Images.Package;

/// <summary>
/// Everything an image is made of except the base's bytes: the model layer's files, the app layer's
/// files, the fixed time, the annotations and the settings. Their <see cref="Fingerprint"/>, with the
/// base's digest, decides whether the package step runs: the same fingerprint gives the same image.
/// </summary>
public sealed class PackageInputs
{
    /// <summary>The model directory's files that go into the model layer, in this order, when present; model.zip must be.</summary>
    public static readonly IReadOnlyList<string> ModelFileNames =
        [StepOutputs.Model, StepOutputs.Schema, StepOutputs.Metrics, StepOutputs.Predictions, StepOutputs.Gates];

    /// <summary>The name of the lock file inside the model layer, where mlops-serve looks for it.</summary>
    public const string LockFileName = "mlops.lock.json";

    private PackageInputs(ModelSpec model, ImageSettings settings, DateTimeOffset created, string? revision, string? source, IReadOnlyList<string> tags, IReadOnlyList<(string ImagePath, string SourcePath)> modelFiles, IReadOnlyList<LayerEntry> appFiles)
    {
        Model = model;
        Settings = settings;
        Created = created;
        Revision = revision;
        Source = source;
        Tags = tags;
        ModelFiles = modelFiles;
        AppFiles = appFiles;
    }

    public ModelSpec Model { get; }
    public ImageSettings Settings { get; }

    /// <summary>SOURCE_DATE_EPOCH, else the commit time: every file, history entry and "created" field.</summary>
    public DateTimeOffset Created { get; }

    public string? Revision { get; }
    public string? Source { get; }

    /// <summary>The tags a push gives the image: MlopsImageTag, MlopsImageTags, then the commit when asked.</summary>
    public IReadOnlyList<string> Tags { get; }

    public IReadOnlyList<(string ImagePath, string SourcePath)> ModelFiles { get; }
    public IReadOnlyList<LayerEntry> AppFiles { get; }

    public string HashCachePath => Path.Combine(Model.IntermediateDirectory, "image-hashes.json");

    public static PackageInputs Gather(ModelSpec model, ImageSettings settings, Func<string, string?> environment)
    {
        var git = GitInfo.Read(model.ProjectDirectory);
        var created = ResolveTimestamp(model, git, environment("SOURCE_DATE_EPOCH"));

        var tags = new List<string> { settings.Tag };
        tags.AddRange(settings.ExtraTags);
        if (settings.TagCommit && git is not null && !tags.Contains(git.Commit))
        {
            tags.Add(git.Commit);
        }

        var modelFiles = new List<(string, string)>();
        foreach (var name in ModelFileNames)
        {
            var path = Path.GetFullPath(model.PathOf(name));
            if (File.Exists(path))
            {
                modelFiles.Add(($"{ImageSpec.ModelDirectory}/{name}", path));
            }
            else if (name == StepOutputs.Model)
            {
                throw new MlopsException(ErrorCodes.ImageNotPackaged, new SourceLocation(model.ProjectFile), $"there is no trained model to package: {path} is missing", "Build the project first (the MlopsPackage target depends on MlopsGate, so 'dotnet build -t:MlopsPackage' trains it)");
            }
        }

        if (File.Exists(model.LockFile))
        {
            modelFiles.Add(($"{ImageSpec.ModelDirectory}/{LockFileName}", Path.GetFullPath(model.LockFile)));
        }

        var appFiles = ServingHostFiles.Collect(settings.ServingHostDirectory, settings.Architecture, ProjectFileLocator.Property(model.ProjectFile, ImageSettingNames.ServingHostPath));
        return new PackageInputs(model, settings, created, settings.Revision ?? git?.Commit, settings.Source ?? git?.RemoteUrl, tags, modelFiles, appFiles);
    }

    /// <summary>
    /// A SHA-256 over every input, with <paramref name="baseDigest"/> for the base. Files are hashed
    /// through the stat cache, so an unchanged project costs a stat per file, not a read.
    /// </summary>
    public string Fingerprint(string baseDigest, FileHashCache hashes)
    {
        var text = new StringBuilder();
        void Line(string key, string? value) => text.Append(key).Append(' ').Append(value ?? "-").Append('\n');

        // The builder's own version: a change in how images are written is a change in the image.
        Line("format", "1");
        Line("buildmlops", ToolVersions.BuildMlops);
        Line("name", Settings.Name);
        Line("tag", Settings.Tag);
        Line("version", Settings.Version);
        Line("base", Settings.BaseImage + " " + baseDigest);
        Line("platform", Settings.OperatingSystem + "/" + Settings.Architecture);
        Line("port", Settings.Port.ToString(CultureInfo.InvariantCulture));
        Line("user", Settings.User);
        Line("created", Created.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Line("revision", Revision);
        Line("source", Source);
        foreach (var (name, value) in Settings.Labels)
        {
            Line("label", name + "=" + value);
        }

        var files = hashes.GetMany([.. ModelFiles.Select(file => file.SourcePath), .. AppFiles.Where(entry => entry.SourceFile is not null).Select(entry => entry.SourceFile!)]);
        foreach (var (imagePath, sourcePath) in ModelFiles)
        {
            Line("model", imagePath + " " + files[sourcePath].Hash);
        }

        foreach (var entry in AppFiles.OrderBy(entry => entry.Path, StringComparer.Ordinal))
        {
            Line("app", entry.Path + " " + (entry.SourceFile is null ? "dir" : files[entry.SourceFile].Hash + (entry.Executable ? " x" : "")));
        }

        return ContentHash.OfText(text.ToString());
    }

    /// <summary>The image spec for <see cref="ImageBuilder"/>.</summary>
    public ImageSpec ToImageSpec(BaseImage? baseImage, IReadOnlyDictionary<string, double> metrics) => new()
    {
        Tag = Settings.Tag,
        AppFiles = AppFiles,
        ModelFiles = [.. ModelFiles.Select(file => LayerEntry.FromFile(file.ImagePath, file.SourcePath))],
        Base = baseImage,
        Timestamp = Created,
        Source = Source,
        Revision = Revision,
        Version = Settings.Version.Length == 0 ? null : Settings.Version,
        Metrics = metrics,
        Labels = Settings.Labels,
        Environment = new Dictionary<string, string> { ["MLOPS_MODEL_NAME"] = Settings.Name },
        User = Settings.User,
        Port = Settings.Port,
        Architecture = Settings.Architecture,
        OperatingSystem = Settings.OperatingSystem,
    };

    private static DateTimeOffset ResolveTimestamp(ModelSpec model, GitInfo? git, string? sourceDateEpoch)
    {
        var location = new SourceLocation(model.ProjectFile);
        if (string.IsNullOrWhiteSpace(sourceDateEpoch) && git is null)
        {
            throw new MlopsException(ErrorCodes.NoImageTimestamp, location, "the image needs a fixed time and there is none: SOURCE_DATE_EPOCH is not set and the project is not in a git repository with a commit", "Commit the project, or set SOURCE_DATE_EPOCH to a time in seconds since 1970 (e.g. $(git log -1 --format=%ct))");
        }

        try
        {
            return ImageBuilder.ResolveTimestamp(git?.CommitTime, sourceDateEpoch);
        }
        catch (ArgumentException error)
        {
            throw new MlopsException(ErrorCodes.NoImageTimestamp, location, error.Message, "Set SOURCE_DATE_EPOCH to whole seconds since 1970-01-01 UTC, or unset it to use the commit time");
        }
    }
}
