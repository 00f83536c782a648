using System.Net.Sockets;
using BuildMlops.Diagnostics;
using Docker.DotNet;

namespace BuildMlops.Images.Docker;

/// <summary>
/// A Docker-compatible engine (Docker, or Podman's Docker API) that answered a ping: loads model images into it
/// and smoke-tests them there. Only the MlopsDockerLoad and MlopsSmokeTest targets need one; building, packaging
/// and pushing images never do. The methods are thin over Docker.DotNet; what they add is the docker-archive
/// conversion (<see cref="DockerArchiveWriter"/>) and errors that say what to do (BM7009, BM7010).
/// </summary>
public sealed partial class DockerEngine : IDisposable
{
    /// <summary>How long the first ping may take: an engine answers in milliseconds, a wrong address should not cost a minute.</summary>
    internal static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private const string EngineHelp =
        "Only MlopsDockerLoad and MlopsSmokeTest need an engine (building and pushing the image do not): start Docker or Podman " +
        "(for Podman: systemctl --user start podman.socket), or point DOCKER_HOST at a running one, e.g. " +
        "DOCKER_HOST=unix:///run/user/1000/podman/podman.sock or DOCKER_HOST=tcp://127.0.0.1:2375";

    private readonly DockerClientConfiguration configuration;
    private readonly DockerClient client;

    private DockerEngine(Uri endpoint, DockerClientConfiguration configuration, DockerClient client)
    {
        Endpoint = endpoint;
        this.configuration = configuration;
        this.client = client;
    }

    /// <summary>The engine's address, as <see cref="DockerEngineLocator"/> found it.</summary>
    public Uri Endpoint { get; }

    /// <summary>Finds the engine (<see cref="DockerEngineLocator"/>) and pings it, for at most about 5 seconds.</summary>
    /// <param name="environment">Reads an environment variable (DOCKER_HOST, DOCKER_TLS_VERIFY, XDG_RUNTIME_DIR, HOME).</param>
    /// <param name="ct">Cancels the connection attempt.</param>
    /// <exception cref="MlopsException">BM7009 when no engine answers: the message names the endpoint tried and why it failed.</exception>
    public static Task<DockerEngine> ConnectAsync(Func<string, string?> environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = DockerEngineLocator.Locate(environment);
        var fromDockerHost = !string.IsNullOrWhiteSpace(environment(DockerEngineLocator.DockerHostVariable));
        var origin = fromDockerHost
            ? "which DOCKER_HOST names"
            : "the default, as DOCKER_HOST is not set (looked for " + string.Join(", ", DockerEngineLocator.DefaultSockets(environment)) + ")";
        if (endpoint.Scheme == "tcp" && environment("DOCKER_TLS_VERIFY") is { Length: > 0 } tls && tls != "0")
        {
            // Docker.DotNet needs its X509 add-on for client certificates; talking plain HTTP to a TLS port only confuses.
            throw Unavailable(endpoint, "DOCKER_TLS_VERIFY is set, and engines behind TLS are not supported here", origin);
        }

        return ConnectAsync(endpoint, origin, PingTimeout, ct);
    }

    /// <summary>Connects to <paramref name="endpoint"/> and pings it within <paramref name="timeout"/>.</summary>
    internal static async Task<DockerEngine> ConnectAsync(Uri endpoint, string origin, TimeSpan timeout, CancellationToken ct)
    {
        if (DockerEngineLocator.SocketPath(endpoint) is { } socket && !File.Exists(socket))
        {
            // Connecting would fail with "Cannot assign requested address", which says nothing useful.
            throw Unavailable(endpoint, $"there is no socket at {socket}", origin);
        }

        var configuration = new DockerClientConfiguration(endpoint, credentials: null, defaultTimeout: TimeSpan.FromMinutes(2), namedPipeConnectTimeout: timeout);
        DockerClient? client = null;
        try
        {
            client = configuration.CreateClient();
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);

            // WaitAsync as well as the token: a connect that ignores cancellation still cannot hold us past the timeout.
            await client.System.PingAsync(timeoutSource.Token).WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            var engine = new DockerEngine(endpoint, configuration, client);
            client = null;
            return engine;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Unavailable(endpoint, $"it did not answer within {timeout.TotalSeconds:0.#} s", origin);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not MlopsException)
        {
            throw Unavailable(endpoint, Describe(exception, "GET /_ping"), origin);
        }
        finally
        {
            if (client is not null)
            {
                client.Dispose();
                configuration.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        client.Dispose();
        configuration.Dispose();
    }

    /// <summary>BM7009 for an engine that was reached but then failed a request (lost, or refused what was asked).</summary>
    private MlopsException EngineFailed(string doing, Exception exception) => new(
        ErrorCodes.DockerEngineUnavailable,
        new SourceLocation(Endpoint.ToString()),
        $"the engine at {Endpoint} failed while {doing}: {Describe(exception, null)}",
        "Check that the engine is running and has disk space (docker info, docker system df), then build again");

    private static MlopsException Unavailable(Uri endpoint, string reason, string origin) => new(
        ErrorCodes.DockerEngineUnavailable,
        new SourceLocation(endpoint.ToString()),
        $"no Docker-compatible engine answered at {endpoint}, {origin}: {reason}",
        EngineHelp);

    /// <summary>What went wrong, in words: the engine's status and message, or the socket error.</summary>
    private static string Describe(Exception exception, string? request)
    {
        switch (exception)
        {
            case DockerApiException api:
                return $"it answered {request ?? "the request"} with HTTP {(int)api.StatusCode}: {Excerpt(api.ResponseBody)}";
            case TimeoutException:
                return "the connection timed out";
        }

        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "the connection was refused (nothing listens there)",
                    SocketError.AccessDenied => "permission denied (add yourself to the docker group, or use rootless Docker or Podman)",
                    SocketError.HostNotFound or SocketError.NoData => "the host name is unknown",
                    SocketError.TimedOut => "the connection timed out",
                    _ => socket.Message,
                };
            }
        }

        return exception.Message;
    }

    /// <summary>The start of a response body, on one line, for an error message.</summary>
    internal static string Excerpt(string? body, int length = 300)
    {
        var text = string.Join(' ', (body ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length == 0 ? "(empty body)" : text.Length <= length ? text : text[..length] + "…";
    }
}
