namespace BuildMlops.Remotes.S3.Tests;

/// <summary>
/// Sets the AWS variables the SDK's credential chain reads, for this process, and puts back what was
/// there on dispose. The S3 remote takes credentials from nowhere else, so this is how tests give them.
/// Tests in this assembly run one at a time, so a process-wide change is safe.
/// </summary>
public sealed class AwsEnvironment : IDisposable
{
    private static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
    ];

    private readonly Dictionary<string, string?> saved = Variables.ToDictionary(name => name, Environment.GetEnvironmentVariable);

    private AwsEnvironment(string accessKey, string secretKey)
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", accessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", secretKey);
    }

    /// <summary>Only these keys, no session token, profile, region or endpoint from the machine.</summary>
    public static AwsEnvironment WithKeys(string accessKey, string secretKey) => new(accessKey, secretKey);

    public void Dispose()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
