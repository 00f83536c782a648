using BuildMlops.Images.Registry;
using BuildMlops.Testing;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Clients for a test registry: it serves plain HTTP, so it is listed as insecure, and no machine credentials leak in.</summary>
internal static class RegistryTestClient
{
    public static RegistryClient For(RegistryServer server, HttpMessageHandler? handler = null, IRegistryCredentialProvider? credentials = null, Action<string>? progress = null, long chunkSize = 16 << 20, int jobs = 4) =>
        new(new RegistryOptions
        {
            InsecureRegistries = [server.Address],
            Handler = handler,
            Credentials = credentials ?? Credentials(server),
            Progress = progress,
            ChunkSize = chunkSize,
            Jobs = jobs,
        });

    /// <summary>The server's own credentials (if it has any) through the environment variables; nothing from the machine's Docker config.</summary>
    public static DockerCredentialProvider Credentials(RegistryServer server, string? password = null) =>
        new(name => name switch
        {
            DockerCredentialProvider.UsernameVariable when server.RequiresAuth => RegistryServer.Username,
            DockerCredentialProvider.PasswordVariable when server.RequiresAuth => password ?? server.Password,
            "HOME" or "DOCKER_CONFIG" => "/nonexistent-buildmlops-home",
            _ => null,
        });

    public static ImageReference Reference(RegistryServer server, string repositoryAndTag) =>
        ImageReference.Parse($"{server.Address}/{repositoryAndTag}");
}
