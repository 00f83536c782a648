using System.Globalization;
using BuildMlops.Diagnostics;

namespace BuildMlops.Serving;

/// <summary>
/// How to serve a model: where it is, where to listen, where to log predictions and how large a request
/// may be. <see cref="Resolve"/> builds it from command-line values with the environment as fallback.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Every interface, port 8080: the default of the <c>mlops-serve</c> executable (a container's entry point).</summary>
    public const string ContainerUrls = "http://0.0.0.0:8080";

    /// <summary>Loopback only, port 8080: the default of <c>mlops serve</c> on a developer's machine.</summary>
    public const string LocalUrls = "http://127.0.0.1:8080";

    /// <summary>The folder holding model.zip and schema.json (and usually metrics.json).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>mlops.lock.json to describe the model with; null: the model directory's, if it has one.</summary>
    public string? LockFile { get; init; }

    /// <summary>Addresses to listen on, as ASP.NET Core's <c>urls</c> (port 0: any free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [ContainerUrls];

    /// <summary>A file to append one JSON line per scored record to; null: no prediction log.</summary>
    public string? PredictionLog { get; init; }

    /// <summary>Records the prediction log may hold in memory before dropping new ones (counted in /metrics).</summary>
    public int PredictionLogCapacity { get; init; } = 10_000;

    /// <summary>Requests with a larger body are refused with 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>The model's name in /model and /metrics; null: the lock file's project, else the directory's name.</summary>
    public string? ModelName { get; init; }

    /// <summary>The model's version; null: the first 12 hex digits of model.zip's SHA-256.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Upper bounds of the regression value histogram; null: deciles of predictions.csv's labels, if present.</summary>
    public IReadOnlyList<double>? ValueBuckets { get; init; }

    /// <summary>Where the server writes its few status lines (model loaded, listening on); null: nowhere.</summary>
    public TextWriter? Status { get; init; } = Console.Out;

    /// <summary>
    /// Options from command-line values, each falling back to its environment variable
    /// (<see cref="ServingEnvironment"/>), then to the defaults. Addresses come from <paramref name="urls"/>,
    /// else ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS, else <paramref name="defaultUrls"/>.
    /// </summary>
    public static ServingOptions Resolve(
        string? modelDirectory = null,
        string? urls = null,
        string? predictionLog = null,
        string? maxBodyBytes = null,
        string? lockFile = null,
        string? modelName = null,
        string? modelVersion = null,
        string? valueBuckets = null,
        string defaultUrls = ContainerUrls,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Pick(string? given, string variable) =>
            !string.IsNullOrWhiteSpace(given) ? given.Trim() : environment(variable) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var size = Pick(maxBodyBytes, ServingEnvironment.MaxBodyBytes);
        var buckets = Pick(valueBuckets, ServingEnvironment.ValueBuckets);
        return new ServingOptions
        {
            ModelDirectory = Path.GetFullPath(Pick(modelDirectory, ServingEnvironment.ModelDirectory) ?? "."),
            Urls = ParseUrls(Pick(urls, ServingEnvironment.Urls) ?? PortsAsUrls(environment(ServingEnvironment.HttpPorts)) ?? defaultUrls),
            PredictionLog = Pick(predictionLog, ServingEnvironment.PredictionLog) is { } log ? Path.GetFullPath(log) : null,
            MaxBodyBytes = size is null ? DefaultMaxBodyBytes : ParseSize(size),
            LockFile = Pick(lockFile, ServingEnvironment.LockFile) is { } locked ? Path.GetFullPath(locked) : null,
            ModelName = Pick(modelName, ServingEnvironment.ModelName),
            ModelVersion = Pick(modelVersion, ServingEnvironment.ModelVersion),
            ValueBuckets = buckets is null ? null : ParseBuckets(buckets),
        };
    }

    /// <summary>ASPNETCORE_HTTP_PORTS (set by the official ASP.NET container images): every interface on each port.</summary>
    private static string? PortsAsUrls(string? ports) =>
        string.IsNullOrWhiteSpace(ports)
            ? null
            : string.Join(';', ports.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"http://*:{port}"));

    /// <summary>ASP.NET Core's form: addresses separated by ';'.</summary>
    public static IReadOnlyList<string> ParseUrls(string text)
    {
        var urls = text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                throw BadOption($"'{url}' is not an http:// address to listen on", "Give addresses like http://127.0.0.1:8080, separated by ';' (TLS belongs to the proxy or ingress in front of the server)");
            }
        }

        return urls.Length > 0 ? urls : throw BadOption("no address to listen on", "Give addresses like http://127.0.0.1:8080, separated by ';'");
    }

    /// <summary>Bytes, optionally with a binary suffix: <c>1048576</c>, <c>64KiB</c>, <c>64K</c>, <c>4MiB</c>, <c>4M</c>.</summary>
    public static long ParseSize(string text)
    {
        var value = text.Trim();
        long unit = 1;
        foreach (var (suffix, multiplier) in new[] { ("KiB", 1024L), ("MiB", 1024L * 1024), ("K", 1024L), ("M", 1024L * 1024) })
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^suffix.Length].TrimEnd();
                unit = multiplier;
                break;
            }
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0 && count <= int.MaxValue / unit
            ? count * unit
            : throw BadOption($"'{text}' is not a size in bytes", "Give a positive whole number of bytes, optionally with KiB or MiB (e.g. 1048576 or 1MiB), of at most 2 GiB");
    }

    /// <summary>Ascending numbers separated by ',' or ';'.</summary>
    public static IReadOnlyList<double> ParseBuckets(string text)
    {
        var bounds = new List<double>();
        foreach (var part in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !double.IsFinite(bound) || (bounds.Count > 0 && bound <= bounds[^1]))
            {
                throw BadOption($"'{text}' is not a list of ascending numbers", "Give histogram bounds like 10,20,50,100");
            }

            bounds.Add(bound);
        }

        return bounds.Count > 0 ? bounds : throw BadOption("no histogram bounds", "Give histogram bounds like 10,20,50,100");
    }

    private static MlopsException BadOption(string message, string help) =>
        new(ErrorCodes.BadServingOption, new SourceLocation("mlops-serve"), message, help);
}

/// <summary>The environment variables the server reads when the command line does not say.</summary>
public static class ServingEnvironment
{
    public const string ModelDirectory = "MLOPS_MODEL_DIR";
    public const string Urls = "ASPNETCORE_URLS";

    /// <summary>Ports to listen on, on every interface, when neither --urls nor ASPNETCORE_URLS says.</summary>
    public const string HttpPorts = "ASPNETCORE_HTTP_PORTS";
    public const string PredictionLog = "MLOPS_PREDICTION_LOG";
    public const string MaxBodyBytes = "MLOPS_MAX_BODY_BYTES";
    public const string LockFile = "MLOPS_LOCK_FILE";
    public const string ModelName = "MLOPS_MODEL_NAME";
    public const string ModelVersion = "MLOPS_MODEL_VERSION";
    public const string ValueBuckets = "MLOPS_VALUE_BUCKETS";
}
