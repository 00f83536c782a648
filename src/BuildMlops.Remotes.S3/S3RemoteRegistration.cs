namespace BuildMlops.Remotes.S3;

/// <summary>
/// Makes <c>s3://</c> urls openable through <see cref="RemoteRegistry"/>. Called once by the process that
/// serves remotes (the mlops CLI); the MSBuild node never does, so it never loads the AWS SDK.
/// </summary>
public static class S3RemoteRegistration
{
    public static void Register() =>
        RemoteRegistry.Register(S3Location.Scheme, (name, settings, _) => new S3Remote(name, settings));
}
