using System.Globalization;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Spec;

namespace BuildMlops.Images.Package;

/// <summary>
/// A model project's image settings, parsed and checked: what the package and push steps read. They
/// travel in the same spec.json as the model's settings but never touch a training step's
/// fingerprint, so renaming an image retrains nothing.
/// </summary>
public sealed record ImageSettings
{
    /// <summary>The image's name, also the repository pushed to unless <see cref="Repository"/> says otherwise.</summary>
    public required string Name { get; init; }

    /// <summary>The tag in the OCI layout's index and the first tag pushed.</summary>
    public required string Tag { get; init; }

    /// <summary>More tags to push, in order, without <see cref="Tag"/>.</summary>
    public required IReadOnlyList<string> ExtraTags { get; init; }

    /// <summary>Also push a tag named for the git commit.</summary>
    public required bool TagCommit { get; init; }

    /// <summary>org.opencontainers.image.version.</summary>
    public required string Version { get; init; }

    /// <summary>The base: a registry reference, or <c>oci:DIR[:REF]</c> for an OCI layout folder on disk.</summary>
    public required string BaseImage { get; init; }

    /// <summary>Ask the registry again what a base tag points at, instead of reusing the digest of the last build.</summary>
    public required bool RefreshBaseImage { get; init; }

    /// <summary>Where pushes go, e.g. <c>ghcr.io/org</c>; null until set.</summary>
    public required string? Registry { get; init; }

    public required string Repository { get; init; }

    /// <summary>host[:port] entries reached over plain HTTP.</summary>
    public required IReadOnlyList<string> InsecureRegistries { get; init; }

    /// <summary>bin/mlops/image/: the layout folder, the tar and image.json.</summary>
    public required string ImageDirectory { get; init; }

    public required string? Source { get; init; }
    public required string? Revision { get; init; }
    public required int Port { get; init; }
    public required string User { get; init; }

    /// <summary>The serving host's publish output, which becomes the app layer.</summary>
    public required string ServingHostDirectory { get; init; }

    public required int PushJobs { get; init; }

    /// <summary>The OCI platform the image is for, picked from a multi-platform base: "linux" and "amd64" by default.</summary>
    public required string OperatingSystem { get; init; }
    public required string Architecture { get; init; }

    /// <summary>MlopsImageLabel items, in name order.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public string LayoutDirectory => Path.Combine(ImageDirectory, "layout");
    public string TarPath => Path.Combine(ImageDirectory, "image.tar");
    public string SummaryPath => Path.Combine(ImageDirectory, "image.json");
    public string PushSummaryPath => Path.Combine(ImageDirectory, "push.json");

    /// <summary>The base as an OCI layout folder on disk (<c>oci:DIR[:REF]</c>), or null for a registry reference.</summary>
    public (string Directory, string? Reference)? LocalBase
    {
        get
        {
            if (!BaseImage.StartsWith(LocalBasePrefix, StringComparison.Ordinal))
            {
                return null;
            }

            var rest = BaseImage[LocalBasePrefix.Length..];

            // A colon after the last slash separates the reference; one before it is part of the path (C:\…).
            var colon = rest.LastIndexOf(':');
            var slash = Math.Max(rest.LastIndexOf('/'), rest.LastIndexOf('\\'));
            return colon > slash && colon > 1 ? (rest[..colon], rest[(colon + 1)..]) : (rest, null);
        }
    }

    public const string LocalBasePrefix = "oci:";

    /// <summary>Reads and checks the image settings of a spec; the model spec supplies paths and the project name.</summary>
    public static ImageSettings Parse(RawSpec raw, ModelSpec model)
    {
        var projectFile = model.ProjectFile;
        MlopsException Bad(string property, string value, string help) =>
            new(ErrorCodes.BadImageSetting, ProjectFileLocator.Property(projectFile, property), $"{property} has the invalid value '{value}'", help);

        string Property(string name) => raw.Property(name);
        bool Flag(string name) => string.Equals(Property(name), "true", StringComparison.OrdinalIgnoreCase);

        var name = Property(ImageSettingNames.Name);
        if (name.Length == 0)
        {
            name = model.ProjectName.ToLowerInvariant();
        }

        if (!ImageReference.TryParse("localhost/" + name, out _))
        {
            throw Bad(ImageSettingNames.Name, name, "Use lower-case letters, digits and separators (. _ - /), e.g. 'churn' or 'models/churn'");
        }

        var tags = Property(ImageSettingNames.Tags).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tag = Property(ImageSettingNames.Tag);
        foreach (var candidate in tags.Prepend(tag))
        {
            if (!IsTag(candidate))
            {
                throw Bad(candidate == tag ? ImageSettingNames.Tag : ImageSettingNames.Tags, candidate, "A tag is 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
            }
        }

        var baseImage = Property(ImageSettingNames.BaseImage);
        if (baseImage.Length == 0 || (!baseImage.StartsWith(LocalBasePrefix, StringComparison.Ordinal) && !ImageReference.TryParse(baseImage, out _)))
        {
            throw Bad(ImageSettingNames.BaseImage, baseImage, "Name a registry image such as 'mcr.microsoft.com/dotnet/aspnet:10.0' (pin it with @sha256:… for reproducible builds) or an OCI layout folder as 'oci:path/to/layout[:tag]'");
        }

        var registry = Property(ImageSettingNames.Registry).TrimEnd('/');
        var repository = Property(ImageSettingNames.Repository);
        if (repository.Length == 0)
        {
            repository = name;
        }

        if (registry.Length > 0 && !ImageReference.TryParse($"{registry}/{repository}:{tag}", out _))
        {
            throw Bad(ImageSettingNames.Registry, registry, "Name a registry host and optional namespace, e.g. 'ghcr.io/my-org' or '127.0.0.1:5000'");
        }

        if (!int.TryParse(Property(ImageSettingNames.Port), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw Bad(ImageSettingNames.Port, Property(ImageSettingNames.Port), "Use a TCP port from 1 to 65535");
        }

        var jobsText = Property(ImageSettingNames.PushJobs);
        var jobs = 4;
        if (jobsText.Length > 0 && (!int.TryParse(jobsText, NumberStyles.None, CultureInfo.InvariantCulture, out jobs) || jobs is < 1 or > 64))
        {
            throw Bad(ImageSettingNames.PushJobs, jobsText, "Use a number of concurrent uploads from 1 to 64");
        }

        var platform = Property(ImageSettingNames.Platform);
        if (platform.Length == 0)
        {
            platform = "linux/amd64";
        }

        if (platform.Split('/') is not [{ Length: > 0 } os, { Length: > 0 } architecture])
        {
            throw Bad(ImageSettingNames.Platform, platform, "Use os/architecture as OCI names them, e.g. linux/amd64 or linux/arm64");
        }

        var user = Property(ImageSettingNames.User);
        if (user.Length == 0 || user is "0" or "root" || user.StartsWith("0:", StringComparison.Ordinal) || user.StartsWith("root:", StringComparison.Ordinal))
        {
            throw Bad(ImageSettingNames.User, user, "Model images run as a non-root user: use a uid such as 1654 (the .NET images' 'app' user)");
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in raw.ItemsOf(ImageSettingNames.LabelItem))
        {
            if (item.Include.Length == 0 || item.Include.Any(char.IsWhiteSpace))
            {
                throw new MlopsException(ErrorCodes.BadImageSetting, ProjectFileLocator.Item(projectFile, ImageSettingNames.LabelItem, item.Include), $"'{item.Include}' is not a label name", "Use a reverse-DNS name without spaces, e.g. com.example.team");
            }

            labels[item.Include] = item.Get("Value");
        }

        // MSBuild writes Windows separators into paths it builds from properties; on Unix they would be file names.
        string FullPath(string path) => Path.GetFullPath(Path.Combine(model.ProjectDirectory, Path.DirectorySeparatorChar == '/' ? path.Replace('\\', '/') : path));
        var imagePath = Property(ImageSettingNames.ImagePath);
        var servingHost = Property(ImageSettingNames.ServingHostPath);
        return new ImageSettings
        {
            Name = name,
            Tag = tag,
            ExtraTags = [.. tags.Where(extra => extra != tag).Distinct(StringComparer.Ordinal)],
            TagCommit = Flag(ImageSettingNames.TagCommit),
            Version = Property(ImageSettingNames.Version),
            BaseImage = baseImage,
            RefreshBaseImage = Flag(ImageSettingNames.RefreshBaseImage),
            Registry = registry.Length == 0 ? null : registry,
            Repository = repository,
            InsecureRegistries = [.. Property(ImageSettingNames.InsecureRegistries).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            ImageDirectory = imagePath.Length > 0 ? FullPath(imagePath) : Path.Combine(model.OutputDirectory, "image"),
            Source = NullIfEmpty(Property(ImageSettingNames.Source)),
            Revision = NullIfEmpty(Property(ImageSettingNames.Revision)),
            Port = port,
            User = user,
            ServingHostDirectory = servingHost.Length > 0 ? FullPath(servingHost) : "",
            PushJobs = jobs,
            OperatingSystem = os,
            Architecture = architecture,
            Labels = labels,
        };
    }

    /// <summary>The OCI distribution spec's tag grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
    public static bool IsTag(string tag) =>
        tag.Length is > 0 and <= 128
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
