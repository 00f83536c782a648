namespace BuildMlops.Images.Registry;

/// <summary>The token scopes a request needs, in the distribution spec's <c>repository:name:actions</c> form.</summary>
internal static class RegistryScopes
{
    public static string Pull(string repository) => $"repository:{repository}:pull";

    public static string PullPush(string repository) => $"repository:{repository}:pull,push";
}
