using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text;
using BuildMlops.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace BuildMlops.Serving;

/// <summary>
/// The model server: Kestrel and an ASP.NET Core minimal API over one model directory.
/// <list type="table">
/// <item><term>POST /predict</term><description>one record (object) or an array of records → predictions</description></item>
/// <item><term>POST /invocations</term><description>MLflow's scoring protocol → <c>{"predictions": [...]}</c></description></item>
/// <item><term>GET /health</term><description>the process is up</description></item>
/// <item><term>GET /ready</term><description>the model is loaded (503 until then)</description></item>
/// <item><term>GET /model</term><description>name, version, hashes, lock file, metrics, input schema</description></item>
/// <item><term>GET /metrics</term><description>Prometheus text format</description></item>
/// </list>
/// The model directory's files are read and checked by <see cref="Create"/>; model.zip is loaded in the
/// background once the server listens, so /health answers at once and /ready turns 200 when predictions
/// can be served. A model that fails to load stops the server (<see cref="RunAsync"/> throws).
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    private readonly ServingOptions _options;
    private readonly WebApplication _app;
    private readonly ServingMetrics _metrics;
    private readonly ResponseWriter _responses;
    private readonly RequestReader _reader;
    private readonly PredictionLog? _predictionLog;
    private readonly byte[] _card;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lifecycle = new();
    private volatile ScoringModel? _scoring;
    private Exception? _loadError;
    private Task? _loading;
    private bool _started;
    private bool _disposed;

    private ModelServer(ServingOptions options, ModelDescription model)
    {
        _options = options;
        Model = model;
        var layout = new FeatureLayout(model);
        _metrics = new ServingMetrics(model, logging: options.PredictionLog is not null);
        _responses = new ResponseWriter(model, layout);
        _reader = new RequestReader(layout, model.MissingValues);
        _card = ModelCard.Write(model, options);
        if (options.PredictionLog is { } logPath)
        {
            _predictionLog = new PredictionLog(logPath, options.PredictionLogCapacity, _metrics, _responses, model.Version, options.Status);
        }

        // The empty builder: no appsettings.json from the working directory, no configuration or
        // hosting defaults that could change what a model image does; just Kestrel, routing and a logger.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mlops-serve" });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Services.AddRoutingCore();
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = builder.Build();
        _logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BuildMlops.Serving");
        _app.Use(MeasureAsync);
        _app.MapPost("/predict", context => ScoreAsync(context, mlflow: false));
        _app.MapPost("/invocations", context => ScoreAsync(context, mlflow: true));
        _app.MapGet("/health", HealthAsync);
        _app.MapGet("/ready", ReadyAsync);
        _app.MapGet("/model", ModelAsync);
        _app.MapGet("/metrics", MetricsAsync);
    }

    /// <summary>What is served, as read from the model directory.</summary>
    public ModelDescription Model { get; }

    /// <summary>The addresses the server listens on, once started (with the real port where 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>Whether model.zip is loaded and predictions are served.</summary>
    public bool IsReady => _scoring is not null;

    /// <summary>Reads and checks the model directory (BM6001 if it cannot be served); nothing listens yet.</summary>
    public static ModelServer Create(ServingOptions options) => new(options, ModelDescription.Load(options));

    /// <summary>Starts listening, then loads the model in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("the server is already started");
            }

            _started = true;
        }

        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            // Kestrel reports an address in use or not available as an IOException.
            throw new MlopsException(ErrorCodes.BadServingOption, new SourceLocation("mlops-serve"), $"cannot listen on {string.Join(", ", _options.Urls)}: {exception.Message}", "Choose another address or port (--urls)");
        }

        Addresses = [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
        _options.Status?.WriteLine($"serving model '{Model.Name}' ({Model.Task.ToString().ToLowerInvariant()}, version {Model.Version}) on {string.Join(", ", Addresses)}");
        _loading = Task.Run(LoadModel, CancellationToken.None);
    }

    /// <summary>Completes when the model is loaded; throws what stopped it from loading.</summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Serves until <paramref name="cancellationToken"/> fires or the process is told to stop (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (_loadError is { } error)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_started)
        {
            await _app.StopAsync().ConfigureAwait(false);
        }

        if (_loading is not null)
        {
            await _loading.ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        if (_predictionLog is not null)
        {
            await _predictionLog.DisposeAsync().ConfigureAwait(false);
        }

        _scoring?.Dispose();
    }

    private void LoadModel()
    {
        try
        {
            var clock = Stopwatch.StartNew();
            _scoring = ScoringModel.Load(Model);
            _metrics.Ready = true;
            _ready.TrySetResult();
            _options.Status?.WriteLine($"model loaded in {clock.Elapsed.TotalSeconds:0.00} s; ready");
        }
        catch (Exception exception)
        {
            _loadError = exception;
            _ready.TrySetException(exception);
            _options.Status?.WriteLine(exception is MlopsException known ? known.ToCanonicalString() : $"error: the model cannot be loaded: {exception}");
            _app.Lifetime.StopApplication();
        }
    }

    private async Task MeasureAsync(HttpContext context, RequestDelegate next)
    {
        var start = Stopwatch.GetTimestamp();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context).ConfigureAwait(false);
            status = context.Response.StatusCode;
        }
        finally
        {
            var endpoint = context.GetEndpoint() is RouteEndpoint route ? ServingMetrics.EndpointIndex(route.RoutePattern.RawText ?? "") : ServingMetrics.Endpoints.Length - 1;
            _metrics.Request(endpoint, status, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    private async Task ScoreAsync(HttpContext context, bool mlflow)
    {
        try
        {
            var scoring = _scoring;
            if (scoring is null)
            {
                context.Response.Headers.RetryAfter = "1";
                await RespondError(context, StatusCodes.Status503ServiceUnavailable, _loadError is null ? "the model is still loading; GET /ready answers 200 once it is loaded" : "the model failed to load").ConfigureAwait(false);
                return;
            }

            var request = context.Request;
            if (!IsJson(request.ContentType))
            {
                await RespondError(context, StatusCodes.Status415UnsupportedMediaType, $"the body must be JSON sent as Content-Type: application/json (not {(string.IsNullOrEmpty(request.ContentType) ? "none" : request.ContentType)})").ConfigureAwait(false);
                return;
            }

            if (request.ContentLength > _options.MaxBodyBytes)
            {
                await RespondError(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                return;
            }

            var reader = request.BodyReader;
            ReadResult read;
            try
            {
                while (true)
                {
                    read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                    if (read.Buffer.Length > _options.MaxBodyBytes)
                    {
                        reader.AdvanceTo(read.Buffer.End);
                        await RespondError(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                        return;
                    }

                    if (read.IsCompleted || read.IsCanceled)
                    {
                        break;
                    }

                    reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                }
            }
            catch (BadHttpRequestException exception)
            {
                await RespondError(context, exception.StatusCode, exception.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : $"the request body cannot be read: {exception.Message}").ConfigureAwait(false);
                return;
            }

            ValueTask<FlushResult> flush;
            try
            {
                flush = Score(context, read.Buffer, mlflow, scoring);
            }
            finally
            {
                reader.AdvanceTo(read.Buffer.End);
            }

            await flush.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception exception) when (exception is IOException)
        {
            // The connection broke while the body was read (ConnectionResetException and friends).
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "{Path} failed", context.Request.Path.Value);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await RespondError(context, StatusCodes.Status500InternalServerError, "internal error: the server failed on this request; its log says why").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Parses, checks and scores a complete body, and writes the response (synchronously; the returned flush is awaited by the caller).</summary>
    private ValueTask<FlushResult> Score(HttpContext context, ReadOnlySequence<byte> body, bool mlflow, ScoringModel scoring)
    {
        // A UTF-8 byte order mark, as some editors and tools write, is not part of the JSON.
        if (body.Length >= 3 && body.FirstSpan.Length >= 3 && body.FirstSpan[..3].SequenceEqual("\uFEFF"u8))
        {
            body = body.Slice(3);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException exception)
        {
            return RespondError(context, StatusCodes.Status400BadRequest, $"malformed JSON: {exception.Message}");
        }

        using (document)
        {
            var problems = new Problems();
            var single = false;
            var batch = mlflow ? _reader.ReadInvocations(document.RootElement, problems) : _reader.ReadPredict(document.RootElement, problems, out single);
            if (batch is null || problems.Count > 0)
            {
                if (problems.Count == 0)
                {
                    problems.Add(null, null, "the body holds no records");
                }

                return Respond(context, StatusCodes.Status400BadRequest, problems, static (json, problems) => ResponseWriter.WriteErrors(json, problems));
            }

            var predictions = new Prediction[batch.Count];
            var engine = scoring.Rent();
            try
            {
                for (var record = 0; record < batch.Count; record++)
                {
                    engine.Predict(batch, record, ref predictions[record]);
                }
            }
            catch
            {
                // An engine that threw may hold half-set state: never reuse it.
                engine.Dispose();
                throw;
            }

            scoring.Return(engine);
            foreach (ref readonly var prediction in predictions.AsSpan())
            {
                _metrics.Prediction(prediction);
            }

            _predictionLog?.Add(batch, predictions);
            return Respond(context, StatusCodes.Status200OK, (this, predictions, single, mlflow), static (json, state) => state.Item1.WritePredictions(json, state.predictions, state.single, state.mlflow));
        }
    }

    private void WritePredictions(Utf8JsonWriter json, Prediction[] predictions, bool single, bool mlflow)
    {
        if (mlflow)
        {
            json.WriteStartObject();
            json.WriteStartArray("predictions");
            foreach (ref readonly var prediction in predictions.AsSpan())
            {
                _responses.WriteInvocationPrediction(json, prediction);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
        else if (single)
        {
            _responses.WritePrediction(json, predictions[0]);
        }
        else
        {
            json.WriteStartArray();
            foreach (ref readonly var prediction in predictions.AsSpan())
            {
                _responses.WritePrediction(json, prediction);
            }

            json.WriteEndArray();
        }
    }

    private static async Task HealthAsync(HttpContext context) =>
        await Respond(context, StatusCodes.Status200OK, "ok", static (json, status) => WriteStatus(json, status, null)).ConfigureAwait(false);

    private async Task ReadyAsync(HttpContext context)
    {
        var (status, state) = _scoring is not null ? (StatusCodes.Status200OK, "ready") : _loadError is null ? (StatusCodes.Status503ServiceUnavailable, "loading") : (StatusCodes.Status503ServiceUnavailable, "failed");
        await Respond(context, status, (state, _loadError?.Message), static (json, s) => WriteStatus(json, s.state, s.Message)).ConfigureAwait(false);
    }

    private Task ModelAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = _card.Length;
        return context.Response.Body.WriteAsync(_card, 0, _card.Length, context.RequestAborted);
    }

    private Task MetricsAsync(HttpContext context)
    {
        var text = Encoding.UTF8.GetBytes(_metrics.Render());
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = PrometheusContentType;
        context.Response.ContentLength = text.Length;
        return context.Response.Body.WriteAsync(text, 0, text.Length, context.RequestAborted);
    }

    private string TooLarge() => $"the body is larger than {_options.MaxBodyBytes} bytes (the server's limit; send fewer records per request)";

    private static void WriteStatus(Utf8JsonWriter json, string status, string? error)
    {
        json.WriteStartObject();
        json.WriteString("status", status);
        if (error is not null)
        {
            json.WriteString("error", error);
        }

        json.WriteEndObject();
    }

    private static ValueTask<FlushResult> RespondError(HttpContext context, int status, string problem) =>
        Respond(context, status, problem, static (json, problem) => ResponseWriter.WriteError(json, problem));

    /// <summary>
    /// Writes a JSON response with its Content-Length: formatted into this thread's buffer, then copied
    /// into the response pipe, all before the first await, so the buffer is free again on return.
    /// </summary>
    private static ValueTask<FlushResult> Respond<TState>(HttpContext context, int status, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var json = t_json ??= new Utf8JsonWriter(buffer, ResponseWriter.WriterOptions);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        write(json, state);
        json.Flush();
        buffer.Write("\n"u8);

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        if (buffer.Capacity > 1024 * 1024)
        {
            // Keep no huge buffer alive on a pool thread after one big batch.
            t_json.Dispose();
            t_json = null;
            t_buffer = null;
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>application/json, with no charset or UTF-8; other parameters (MLflow's old <c>format=pandas-split</c>) are ignored.</summary>
    internal static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        if (contentType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
