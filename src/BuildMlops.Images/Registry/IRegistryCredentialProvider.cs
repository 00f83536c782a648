namespace BuildMlops.Images.Registry;

/// <summary>Finds the credential to present to a registry, when it asks for one.</summary>
public interface IRegistryCredentialProvider
{
    /// <summary>The credential for <paramref name="registry"/> (as in <see cref="ImageReference.Registry"/>: <c>docker.io</c>,
    /// <c>ghcr.io</c>, <c>localhost:5000</c>), or null when there is none and the registry is to be asked anonymously.</summary>
    Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellation);
}
