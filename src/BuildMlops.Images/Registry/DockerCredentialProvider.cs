using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Registry;

/// <summary>
/// Finds registry credentials where Docker, and CI systems' login steps, leave them, in this order:
/// <list type="number">
/// <item><c>MLOPS_REGISTRY_USERNAME</c> and <c>MLOPS_REGISTRY_PASSWORD</c>, for every registry (a CI job pushes to one);</item>
/// <item>the Docker config, <c>$DOCKER_CONFIG/config.json</c> or <c>~/.docker/config.json</c>: the registry's
/// <c>credHelpers</c> entry (runs <c>docker-credential-&lt;helper&gt; get</c>), then its <c>auths</c> entry
/// (<c>auth</c>, base64 of user:password, or <c>identitytoken</c>), then the <c>credsStore</c> helper.</item>
/// </list>
/// Nothing found is not an error here: the registry is then asked anonymously, and it decides.
/// </summary>
public sealed class DockerCredentialProvider : IRegistryCredentialProvider
{
    public const string UsernameVariable = "MLOPS_REGISTRY_USERNAME";
    public const string PasswordVariable = "MLOPS_REGISTRY_PASSWORD";

    /// <summary>What Docker's credential helpers answer for a registry they hold no credential for.</summary>
    private const string HelperNotFound = "credentials not found";

    /// <summary>The user name a credential helper gives for an identity (refresh) token instead of a password.</summary>
    private const string IdentityTokenUser = "<token>";

    /// <summary>The key <c>docker login</c> has always stored Docker Hub's credentials under.</summary>
    private const string DockerHubLegacyKey = "https://index.docker.io/v1/";

    private static readonly TimeSpan HelperTimeout = TimeSpan.FromSeconds(30);

    private readonly Func<string, string?> environment;

    /// <summary>Reads the process environment.</summary>
    public DockerCredentialProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Reads the variables (the two above, DOCKER_CONFIG, HOME, and PATH for finding helpers) through
    /// <paramref name="environment"/>, so a test or a host can supply its own.</summary>
    public DockerCredentialProvider(Func<string, string?> environment) => this.environment = environment;

    /// <summary>The Docker config file this provider reads (it may not exist).</summary>
    public string ConfigPath
    {
        get
        {
            var directory = environment("DOCKER_CONFIG");
            if (string.IsNullOrEmpty(directory))
            {
                var home = environment("HOME");
                directory = Path.Combine(string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home, ".docker");
            }

            return Path.Combine(directory, "config.json");
        }
    }

    /// <summary>Where credentials are looked for, in a sentence for error messages.</summary>
    public string Sources =>
        $"{UsernameVariable}/{PasswordVariable}, then {ConfigPath} (credHelpers, auths, credsStore; DOCKER_CONFIG moves it)";

    public async Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellation)
    {
        var username = environment(UsernameVariable);
        var password = environment(PasswordVariable);
        if (!string.IsNullOrEmpty(username) || !string.IsNullOrEmpty(password))
        {
            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            {
                throw new MlopsException(
                    ErrorCodes.RegistryAccessDenied,
                    new SourceLocation(registry),
                    $"only one of {UsernameVariable} and {PasswordVariable} is set",
                    "Set both, or neither to use the Docker config");
            }

            return new RegistryCredential(username, password, null) { Source = $"{UsernameVariable}/{PasswordVariable}" };
        }

        var configPath = ConfigPath;
        if (!File.Exists(configPath))
        {
            return null;
        }

        JsonElement config;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(configPath, cancellation));
            config = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(configPath), $"the Docker config is not valid JSON: {exception.Message}", "Fix it, or log in again with 'docker login'");
        }

        if (config.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (FindEntry(config, "credHelpers", registry) is { ValueKind: JsonValueKind.String } helper && helper.GetString() is { Length: > 0 } helperName)
        {
            return await FromHelperAsync(helperName, HelperServer(registry), cancellation);
        }

        if (FindEntry(config, "auths", registry) is { ValueKind: JsonValueKind.Object } auth && FromAuthsEntry(auth, configPath, registry) is { } stored)
        {
            return stored;
        }

        if (config.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } storeName)
        {
            return await FromHelperAsync(storeName, HelperServer(registry), cancellation);
        }

        return null;
    }

    /// <summary>The entry of <paramref name="section"/> for <paramref name="registry"/>, whichever way its key is written.</summary>
    private static JsonElement? FindEntry(JsonElement config, string section, string registry)
    {
        if (!config.TryGetProperty(section, out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var wanted = HostOf(registry);
        foreach (var entry in entries.EnumerateObject())
        {
            if (entry.Name == registry || HostOf(entry.Name) == wanted)
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// A config key reduced to the registry it is for: keys may be "host", "https://host/" or "https://host/v1/",
    /// and Docker Hub appears as docker.io, index.docker.io or registry-1.docker.io.
    /// </summary>
    private static string HostOf(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/');
        if (slash >= 0)
        {
            host = host[..slash];
        }

        host = host.ToLowerInvariant();
        return host is "index.docker.io" or ImageReference.DockerHubApiHost ? ImageReference.DockerHub : host;
    }

    /// <summary>The server name a helper is asked about: Docker asks about Docker Hub by its legacy key.</summary>
    private static string HelperServer(string registry) => HostOf(registry) == ImageReference.DockerHub ? DockerHubLegacyKey : registry;

    private static RegistryCredential? FromAuthsEntry(JsonElement entry, string configPath, string registry)
    {
        var source = $"{configPath} (auths)";
        string? username = null, password = null;
        if (entry.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(configPath), $"the Docker config's auths entry for {registry} has an 'auth' that is not base64", "Log in again with 'docker login'");
            }

            var colon = decoded.IndexOf(':');
            if (colon < 0)
            {
                throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(configPath), $"the Docker config's auths entry for {registry} has an 'auth' that is not user:password", "Log in again with 'docker login'");
            }

            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }

        username ??= String(entry, "username");
        password ??= String(entry, "password");
        if (String(entry, "identitytoken") is { Length: > 0 } identityToken)
        {
            return new RegistryCredential(username, null, identityToken) { Source = source };
        }

        return username is not null && password is not null ? new RegistryCredential(username, password, null) { Source = source } : null;
    }

    private static string? String(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Runs <c>docker-credential-&lt;name&gt; get</c>, which reads the server on stdin and answers {"Username","Secret"}.</summary>
    private async Task<RegistryCredential?> FromHelperAsync(string name, string server, CancellationToken cancellation)
    {
        var program = "docker-credential-" + name;
        var path = FindOnPath(program) ?? throw new MlopsException(
            ErrorCodes.RegistryAccessDenied,
            new SourceLocation(ConfigPath),
            $"the Docker config names the credential helper '{name}', but {program} is not on PATH",
            $"Install {program}, or remove '{name}' from the config's credHelpers/credsStore");

        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("get");
        foreach (var variable in new[] { "PATH", "HOME", "DOCKER_CONFIG" })
        {
            if (environment(variable) is { } value)
            {
                start.Environment[variable] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        try
        {
            await process.StandardInput.WriteAsync(server);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The helper exited without reading the server (a broken pipe); its exit code and output say why.
        }
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            timeout.CancelAfter(HelperTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellation.ThrowIfCancellationRequested();
                throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(ConfigPath), $"the credential helper {program} did not answer within {HelperTimeout.TotalSeconds:0} s", "Check that it works: echo <registry> | " + program + " get");
            }
        }

        var answer = await output;
        var complaint = (await error).Trim();
        if (process.ExitCode != 0)
        {
            if ((answer + complaint).Contains(HelperNotFound, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            // A failing helper prints why; it does not print the secret it could not find.
            var why = string.IsNullOrWhiteSpace(complaint) ? answer.Trim() : complaint;
            throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(ConfigPath), $"the credential helper {program} failed for {server} (exit code {process.ExitCode}): {why}", $"Log in again ('docker login'), or check the helper: echo {server} | {program} get");
        }

        string? username, secret;
        try
        {
            using var document = JsonDocument.Parse(answer);
            username = String(document.RootElement, "Username");
            secret = String(document.RootElement, "Secret");
        }
        catch (JsonException)
        {
            // The answer holds the secret: say what was wrong with it, never what it was.
            throw new MlopsException(ErrorCodes.RegistryAccessDenied, new SourceLocation(ConfigPath), $"the credential helper {program} answered something that is not its JSON ({{\"Username\",\"Secret\"}})", $"Check the helper: echo {server} | {program} get");
        }

        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        var source = $"credential helper {program}";
        return username == IdentityTokenUser
            ? new RegistryCredential(null, null, secret) { Source = source }
            : new RegistryCredential(username, secret, null) { Source = source };
    }

    private string? FindOnPath(string program)
    {
        foreach (var directory in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
