namespace BuildMlops.Images.Registry;

/// <summary>How a <see cref="RegistryClient"/> finds credentials, which registries it reaches over plain HTTP, and how it transfers blobs.</summary>
public sealed class RegistryOptions
{
    /// <summary>Asked for a registry's credential when the registry asks for one (never before).</summary>
    public IRegistryCredentialProvider Credentials { get; init; } = new DockerCredentialProvider();

    /// <summary>Registries (<c>host:port</c>, as in a reference) reached over plain HTTP; every other one over TLS.
    /// Only for local and test registries: credentials sent to these cross the network in the clear.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>Told one human line per step: a blob pushed, found present or mounted, a manifest tagged.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>How many blobs are transferred at once.</summary>
    public int Jobs { get; init; } = 4;

    /// <summary>The size of each PATCH when a registry takes a blob only in chunks.</summary>
    public long ChunkSize { get; init; } = 16 << 20;

    /// <summary>The HTTP handler to send through instead of the client's own (tests put one in front of a real registry).
    /// The client does not dispose it.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
