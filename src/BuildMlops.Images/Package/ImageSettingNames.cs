namespace BuildMlops.Images.Package;

/// <summary>
/// The MSBuild properties and items of a model image. Their defaults live in the SDK's Sdk.props and
/// Sdk.targets, where users read them; docs/reference.md describes each one.
/// </summary>
public static class ImageSettingNames
{
    public const string Name = "MlopsImageName";
    public const string Tag = "MlopsImageTag";
    public const string Tags = "MlopsImageTags";
    public const string TagCommit = "MlopsImageTagCommit";
    public const string Version = "MlopsImageVersion";
    public const string BaseImage = "MlopsBaseImage";
    public const string RefreshBaseImage = "MlopsRefreshBaseImage";
    public const string Registry = "MlopsImageRegistry";
    public const string Repository = "MlopsImageRepository";
    public const string InsecureRegistries = "MlopsInsecureRegistries";
    public const string ImagePath = "MlopsImagePath";
    public const string Source = "MlopsImageSource";
    public const string Revision = "MlopsImageRevision";
    public const string Port = "MlopsImagePort";
    public const string User = "MlopsImageUser";
    public const string ServingHostPath = "MlopsServingHostPath";
    public const string PushJobs = "MlopsImagePushJobs";
    public const string Platform = "MlopsImagePlatform";

    public const string LabelItem = "MlopsImageLabel";

    /// <summary>Every image property the SDK passes to the image steps through the spec.</summary>
    public static readonly IReadOnlyList<string> Properties =
    [
        Name, Tag, Tags, TagCommit, Version, BaseImage, RefreshBaseImage, Registry, Repository, InsecureRegistries,
        ImagePath, Source, Revision, Port, User, ServingHostPath, PushJobs, Platform,
    ];
}
