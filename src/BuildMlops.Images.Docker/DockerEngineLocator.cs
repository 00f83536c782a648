using BuildMlops.Diagnostics;

namespace BuildMlops.Images.Docker;

/// <summary>
/// Finds the Docker-compatible engine (Docker or Podman) to talk to, in this order:
/// <list type="number">
/// <item><c>DOCKER_HOST</c> when set: <c>unix:///path</c>, <c>tcp://host:port</c> (plain HTTP; 2375 when no
/// port is given) or <c>npipe:////./pipe/name</c>; anything else is an error (BM7009).</item>
/// <item>Else, on Unix, the first of these sockets that exists: <c>/var/run/docker.sock</c> (rootful Docker; Docker
/// Desktop and podman-mac-helper link it too), <c>$XDG_RUNTIME_DIR/docker.sock</c> (rootless Docker),
/// <c>$HOME/.docker/run/docker.sock</c> and <c>$HOME/.docker/desktop/docker.sock</c> (Docker Desktop on macOS and
/// Linux), <c>$HOME/.colima/default/docker.sock</c> (Colima), <c>$XDG_RUNTIME_DIR/podman/podman.sock</c>
/// (rootless Podman's socket service) and <c>/run/podman/podman.sock</c> (rootful Podman).</item>
/// <item>Else <c>unix:///var/run/docker.sock</c> (on Windows <c>npipe://./pipe/docker_engine</c>), so that the
/// error names the usual place.</item>
/// </list>
/// Docker CLI contexts (<c>docker context use</c>) are not read: point DOCKER_HOST at the context's endpoint instead.
/// </summary>
public static class DockerEngineLocator
{
    /// <summary>The environment variable that names the engine, as for the docker CLI.</summary>
    public const string DockerHostVariable = "DOCKER_HOST";

    internal const string DefaultUnixSocket = "/var/run/docker.sock";
    internal const string DefaultWindowsPipe = "npipe://./pipe/docker_engine";

    /// <summary>The engine's endpoint: DOCKER_HOST, else the first default socket that exists, else the usual default.</summary>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <exception cref="MlopsException">BM7009 when DOCKER_HOST is set to something that is not an engine address.</exception>
    public static Uri Locate(Func<string, string?> environment) =>
        Locate(environment, File.Exists, OperatingSystem.IsWindows());

    /// <summary><see cref="Locate(Func{string, string?})"/> with the socket check and the platform given, so tests need not touch /var/run.</summary>
    internal static Uri Locate(Func<string, string?> environment, Func<string, bool> socketExists, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dockerHost = environment(DockerHostVariable);
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            return ParseDockerHost(dockerHost.Trim());
        }

        if (windows)
        {
            return new Uri(DefaultWindowsPipe);
        }

        var found = DefaultSockets(environment).FirstOrDefault(socketExists);
        return UnixSocket(found ?? DefaultUnixSocket);
    }

    /// <summary>The socket paths looked for when DOCKER_HOST is not set (Unix), in order.</summary>
    internal static IReadOnlyList<string> DefaultSockets(Func<string, string?> environment)
    {
        var runtimeDirectory = NonEmpty(environment("XDG_RUNTIME_DIR"));
        var home = NonEmpty(environment("HOME"));
        var candidates = new List<string?>
        {
            DefaultUnixSocket,
            runtimeDirectory is null ? null : Path.Combine(runtimeDirectory, "docker.sock"),
            home is null ? null : Path.Combine(home, ".docker", "run", "docker.sock"),
            home is null ? null : Path.Combine(home, ".docker", "desktop", "docker.sock"),
            home is null ? null : Path.Combine(home, ".colima", "default", "docker.sock"),
            runtimeDirectory is null ? null : Path.Combine(runtimeDirectory, "podman", "podman.sock"),
            "/run/podman/podman.sock",
        };
        return candidates.OfType<string>().ToList();
    }

    /// <summary>The path of a unix:// endpoint, or null for other schemes.</summary>
    internal static string? SocketPath(Uri endpoint) => endpoint.Scheme == "unix" ? Uri.UnescapeDataString(endpoint.AbsolutePath) : null;

    private static Uri ParseDockerHost(string value)
    {
        var separator = value.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? "" : value[..separator].ToLowerInvariant();
        var rest = separator < 0 ? value : value[(separator + 3)..];
        switch (scheme)
        {
            case "unix" when rest.StartsWith('/'):
                return UnixSocket(rest);
            case "tcp" or "http" when Uri.TryCreate("tcp://" + rest, UriKind.Absolute, out var tcp) && tcp.Host.Length > 0:
                // The docker CLI's default port without TLS; Uri would otherwise say 80.
                return new UriBuilder("tcp", tcp.Host, tcp.IsDefaultPort || tcp.Port < 0 ? 2375 : tcp.Port).Uri;
            case "npipe":
                // Docker writes npipe:////./pipe/docker_engine; Docker.DotNet wants npipe://./pipe/docker_engine.
                var pipe = rest.TrimStart('/').Replace('\\', '/');
                if (pipe.StartsWith("./pipe/", StringComparison.OrdinalIgnoreCase) && pipe.Length > "./pipe/".Length && !pipe["./pipe/".Length..].Contains('/'))
                {
                    return new Uri("npipe://" + pipe);
                }

                break;
        }

        throw new MlopsException(
            ErrorCodes.DockerEngineUnavailable,
            new SourceLocation(DockerHostVariable),
            $"DOCKER_HOST is '{value}', which is not an engine address this tool can use",
            "Set DOCKER_HOST to unix:///path/to/docker.sock, tcp://host:port (plain HTTP) or npipe:////./pipe/name; for ssh:// or a TLS engine, forward its socket to a local one (e.g. ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use that");
    }

    private static Uri UnixSocket(string path) => new("unix://" + path);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
