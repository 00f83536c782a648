using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BuildMlops.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BuildMlops.Images.Docker;

public sealed partial class DockerEngine
{
    /// <summary>The port mlops-serve listens on in the image (ASPNETCORE_HTTP_PORTS).</summary>
    public const int ContainerPort = 8080;

    /// <summary>The label every smoke-test container carries, so a leftover one (after a killed build) can be found and removed.</summary>
    public const string SmokeTestLabel = "buildmlops.smoke-test";

    private const int LogLines = 40;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs <paramref name="image"/> and checks that it serves: a container with port 8080 published on a random
    /// port of 127.0.0.1, then GET /health until it answers 200, GET /ready until the model is loaded (before that,
    /// /predict answers 503), and POST /predict with <paramref name="samplePredictJson"/>, which must answer 200 with
    /// a JSON body. The container is removed afterwards, whatever happened, cancellation included. The engine must
    /// publish ports on this machine's 127.0.0.1: a local engine, Docker Desktop or a Podman machine.
    /// </summary>
    /// <param name="image">An image the engine has, e.g. the tag given to <see cref="LoadAsync"/>.</param>
    /// <param name="samplePredictJson">A /predict body: one record (a JSON object) or an array of them.</param>
    /// <param name="timeout">How long the container may take to answer /health and /ready, and then /predict.</param>
    /// <param name="ct">Cancels the test (the container is still removed).</param>
    /// <exception cref="ArgumentException"><paramref name="samplePredictJson"/> is not a JSON object or array.</exception>
    /// <exception cref="MlopsException">BM7010 when the image does not serve as it should, with the statuses, the
    /// body and the container's last log lines; BM7009 when the engine fails.</exception>
    public async Task<SmokeTestResult> SmokeTestAsync(string image, string samplePredictJson, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        RequireJsonRecords(samplePredictJson);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        var name = $"mlops-smoke-{Guid.NewGuid():N}"[..24];
        string? id = null;
        SmokeTestResult result;
        try
        {
            id = await CreateContainerAsync(image, name, ct).ConfigureAwait(false);
            result = await RunAsync(id, image, samplePredictJson, timeout, ct).ConfigureAwait(false);
        }
        catch when (id is not null)
        {
            // Whatever went wrong (cancellation included) is what to report; a failed removal is only traced.
            await RemoveContainerAsync(id, quiet: true).ConfigureAwait(false);
            throw;
        }

        await RemoveContainerAsync(id, quiet: false).ConfigureAwait(false);
        return result;
    }

    private async Task<SmokeTestResult> RunAsync(string id, string image, string samplePredictJson, TimeSpan timeout, CancellationToken ct)
    {
        await Engine($"starting the container of {image}", () => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct)).ConfigureAwait(false);
        var started = Stopwatch.StartNew();
        var port = await HostPortAsync(id, ct).ConfigureAwait(false);

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = Timeout.InfiniteTimeSpan };
        var baseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var deadline = DateTime.UtcNow + timeout;
        var health = await PollAsync(http, id, image, new Uri(baseUri, "health"), deadline, timeout, ct).ConfigureAwait(false);
        await PollAsync(http, id, image, new Uri(baseUri, "ready"), deadline, timeout, ct).ConfigureAwait(false);
        var startup = started.Elapsed;

        // The sample gets a time limit of its own, so that a slow startup does not leave it a few milliseconds.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "predict"))
        {
            Content = new StringContent(samplePredictJson, Encoding.UTF8, "application/json"),
        };
        var (status, body, problem) = await SendAsync(http, request, timeout, ct).ConfigureAwait(false);
        if (status != (int)HttpStatusCode.OK)
        {
            throw await FailedAsync(id, image, problem is null
                ? $"POST /predict with the sample answered HTTP {status}: {Excerpt(body)}"
                : $"POST /predict with the sample got no answer: {problem}").ConfigureAwait(false);
        }

        if (!IsJson(body))
        {
            throw await FailedAsync(id, image, $"POST /predict answered 200, but not with JSON: {Excerpt(body)}").ConfigureAwait(false);
        }

        return new SmokeTestResult(health, status, body, startup);
    }

    private async Task<string> CreateContainerAsync(string image, string name, CancellationToken ct)
    {
        var port = ContainerPort.ToString(CultureInfo.InvariantCulture) + "/tcp";
        var parameters = new CreateContainerParameters
        {
            Name = name,
            Image = image,
            Labels = new Dictionary<string, string> { [SmokeTestLabel] = "true" },
            ExposedPorts = new Dictionary<string, EmptyStruct> { [port] = default },
            HostConfig = new HostConfig
            {
                // An empty host port asks the engine for a free one: parallel builds never collide.
                PortBindings = new Dictionary<string, IList<PortBinding>> { [port] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
            },
        };
        try
        {
            return (await client.Containers.CreateContainerAsync(parameters, ct).ConfigureAwait(false)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            throw new MlopsException(
                ErrorCodes.SmokeTestFailed,
                new SourceLocation(Endpoint.ToString()),
                $"the engine at {Endpoint} has no image {image} to smoke-test",
                "Load it first: MlopsSmokeTest loads the image before it runs it, and 'dotnet build -t:MlopsDockerLoad' does only that");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw EngineFailed($"creating a container of {image}", exception);
        }
    }

    private async Task<int> HostPortAsync(string id, CancellationToken ct)
    {
        var container = await Engine("inspecting the smoke-test container", () => client.Containers.InspectContainerAsync(id, ct)).ConfigureAwait(false);
        var bindings = container.NetworkSettings?.Ports?.TryGetValue(ContainerPort.ToString(CultureInfo.InvariantCulture) + "/tcp", out var list) == true ? list : null;
        var hostPort = bindings?.Select(binding => binding.HostPort).FirstOrDefault(text => !string.IsNullOrEmpty(text));
        return int.TryParse(hostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw EngineFailed("publishing the container's port", new InvalidOperationException($"it reports no host port for {ContainerPort}/tcp"));
    }

    /// <summary>GETs <paramref name="uri"/> until it answers 200; fails early when the container stops.</summary>
    private async Task<int> PollAsync(HttpClient http, string id, string image, Uri uri, DateTime deadline, TimeSpan timeout, CancellationToken ct)
    {
        var last = "no answer yet";
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw await FailedAsync(id, image, $"GET {uri.AbsolutePath} did not answer 200 within {timeout.TotalSeconds:0.#} s (last: {last})").ConfigureAwait(false);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            var (status, body, problem) = await SendAsync(http, request, remaining < TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            if (status == (int)HttpStatusCode.OK)
            {
                return status;
            }

            last = problem ?? $"HTTP {status}: {Excerpt(body)}";
            if (status == (int)HttpStatusCode.ServiceUnavailable && StatusField(body) == "failed")
            {
                // mlops-serve says the model cannot be loaded; waiting will not change that.
                throw await FailedAsync(id, image, $"GET {uri.AbsolutePath} says the model failed to load: {Excerpt(body)}").ConfigureAwait(false);
            }

            var state = (await Engine("inspecting the smoke-test container", () => client.Containers.InspectContainerAsync(id, ct)).ConfigureAwait(false)).State;
            if (state is { Running: false })
            {
                var why = state.OOMKilled ? " (killed for lack of memory)" : string.IsNullOrEmpty(state.Error) ? "" : $" ({state.Error})";
                throw await FailedAsync(id, image, $"the container stopped with exit code {state.ExitCode}{why} before GET {uri.AbsolutePath} answered 200").ConfigureAwait(false);
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a request with its own time limit; a connection error or timeout is a problem to report, not an exception.</summary>
    private static async Task<(int Status, string Body, string? Problem)> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan limit, CancellationToken ct)
    {
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limited.CancelAfter(limit);
        try
        {
            using var response = await http.SendAsync(request, limited.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(limited.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, "", $"no answer within {limit.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException exception)
        {
            // Until the server listens, the engine's port proxy accepts and then drops connections.
            return (0, "", exception.InnerException?.Message ?? exception.Message);
        }
    }

    /// <summary>BM7010 with the container's last log lines, which usually say why.</summary>
    private async Task<MlopsException> FailedAsync(string id, string image, string problem)
    {
        var logs = await LastLogLinesAsync(id).ConfigureAwait(false);
        return new MlopsException(
            ErrorCodes.SmokeTestFailed,
            new SourceLocation(Endpoint.ToString()),
            $"the smoke test of {image} failed: {problem}; the container's last log lines:{Environment.NewLine}{logs}",
            $"Run it yourself (docker run --rm -p 8080:{ContainerPort} {image}) and try the same requests; see docs/serving.md for what /health, /ready and /predict answer");
    }

    private async Task<string> LastLogLinesAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = LogLines.ToString(CultureInfo.InvariantCulture) };
            using var stream = await client.Containers.GetContainerLogsAsync(id, tty: false, parameters, timeout.Token).ConfigureAwait(false);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(timeout.Token).ConfigureAwait(false);
            var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length == 0 ? "(none)" : string.Join(Environment.NewLine, lines.TakeLast(LogLines));
        }
        catch (Exception exception)
        {
            // The logs only explain the failure; not getting them must not hide it.
            return $"(the logs could not be read: {exception.Message})";
        }
    }

    /// <summary>
    /// Removes the container, also after a failure or cancellation (then without the caller's token): a leftover
    /// would hold its port and memory. After a passed test a failed removal is an error; after a failed one it is
    /// only traced, so as not to hide why the test failed.
    /// </summary>
    private async Task RemoveContainerAsync(string id, bool quiet)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
        catch (Exception exception) when (quiet)
        {
            Trace.TraceWarning($"the smoke-test container {id} could not be removed from {Endpoint}: {exception.Message}; remove it with: docker rm -f {id}");
        }
        catch (Exception exception)
        {
            throw EngineFailed($"removing the smoke-test container {id} (remove it with: docker rm -f {id})", exception);
        }
    }

    private async Task<T> Engine<T>(string doing, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not MlopsException)
        {
            throw EngineFailed(doing, exception);
        }
    }

    private static void RequireJsonRecords(string samplePredictJson)
    {
        ArgumentNullException.ThrowIfNull(samplePredictJson);
        try
        {
            using var document = JsonDocument.Parse(samplePredictJson);
            if (document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                return;
            }
        }
        catch (JsonException)
        {
        }

        throw new ArgumentException("the sample for /predict must be a JSON record (an object) or an array of records", nameof(samplePredictJson));
    }

    /// <summary>The "status" of an mlops-serve probe answer ({"status":"loading"}), or null.</summary>
    private static string? StatusField(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
