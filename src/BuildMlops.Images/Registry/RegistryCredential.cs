namespace BuildMlops.Images.Registry;

/// <summary>
/// What a registry is told to prove who is asking: a user name and password (or access token used as one),
/// or an OAuth2 identity (refresh) token as <c>docker login</c> stores for some registries. Its
/// <see cref="ToString"/> never shows the secrets, so a credential that reaches a log or a message leaks nothing.
/// </summary>
/// <param name="Username">The user name, or null with an identity token.</param>
/// <param name="Password">The password or access token, or null with an identity token.</param>
/// <param name="IdentityToken">An OAuth2 refresh token for the registry's token service, or null.</param>
public sealed record RegistryCredential(string? Username, string? Password, string? IdentityToken)
{
    /// <summary>Where the credential came from (a variable, a config file, a helper), for messages; never the secret.</summary>
    public string Source { get; init; } = "the credential provider";

    /// <summary>Whether the credential can answer a Basic challenge or a token service's Basic login.</summary>
    public bool HasPassword => Username is not null && Password is not null;

    public override string ToString() =>
        IdentityToken is not null ? $"identity token <redacted> from {Source}" : $"{Username ?? "<no user>"}:<redacted> from {Source}";
}
