using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using BuildMlops.Spec;

namespace BuildMlops.Serving;

/// <summary>
/// The server's counters and histograms, written in the Prometheus text exposition format (0.0.4) by
/// <c>GET /metrics</c>. Lock-free on the request path: interlocked increments on preallocated cells.
/// </summary>
internal sealed class ServingMetrics
{
    /// <summary>The endpoints requests are counted under; anything else is "other", so labels stay few.</summary>
    public static readonly string[] Endpoints = ["/predict", "/invocations", "/health", "/ready", "/model", "/metrics", "other"];

    /// <summary>Request latency bounds, in seconds: fine below 5 ms, where a healthy server lives.</summary>
    public static readonly double[] LatencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    public static readonly double[] ProbabilityBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

    private readonly ConcurrentDictionary<(int Endpoint, int Status), Counter> _requests = new();
    private readonly Histogram[] _latency = [.. Endpoints.Select(_ => new Histogram(LatencyBuckets))];
    private readonly ModelDescription _model;
    private readonly long[] _predictedClasses;
    private readonly Histogram? _probability;
    private readonly Histogram? _value;
    private readonly bool _logging;
    private long _logWritten;
    private long _logDropped;
    private long _predictedNone;

    public ServingMetrics(ModelDescription model, bool logging)
    {
        _model = model;
        _logging = logging;
        _predictedClasses = new long[model.Classes.Count];
        _probability = model.Task == TaskKind.Binary ? new Histogram(ProbabilityBuckets) : null;
        _value = model.Task == TaskKind.Regression ? new Histogram([.. model.ValueBuckets]) : null;
    }

    public bool Ready { get; set; }

    public static int EndpointIndex(string path)
    {
        for (var i = 0; i < Endpoints.Length - 1; i++)
        {
            if (string.Equals(path, Endpoints[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return Endpoints.Length - 1;
    }

    public void Request(int endpoint, int status, double seconds)
    {
        _requests.GetOrAdd((endpoint, status), static _ => new Counter()).Increment();
        _latency[endpoint].Observe(seconds);
    }

    public void Prediction(in Prediction prediction)
    {
        switch (_model.Task)
        {
            case TaskKind.Binary:
                // Classes are in ordinal order; ClassIndex is 1 for the positive class.
                Interlocked.Increment(ref _predictedClasses[IndexOfBinary(prediction.ClassIndex == 1)]);
                _probability!.Observe(prediction.Probability);
                break;
            case TaskKind.Regression:
                _value!.Observe(prediction.Score);
                break;
            default:
                if (prediction.ClassIndex >= 0)
                {
                    Interlocked.Increment(ref _predictedClasses[prediction.ClassIndex]);
                }
                else
                {
                    Interlocked.Increment(ref _predictedNone);
                }

                break;
        }
    }

    public void LogWritten(int records) => Interlocked.Add(ref _logWritten, records);

    public void LogDropped(int records) => Interlocked.Add(ref _logDropped, records);

    public long LogDroppedCount => Interlocked.Read(ref _logDropped);

    private int IndexOfBinary(bool positive) =>
        string.Equals(_model.Classes[0], positive ? _model.PositiveClass : _model.NegativeClass, StringComparison.Ordinal) ? 0 : 1;

    public string Render()
    {
        var text = new StringBuilder(4096);
        Header(text, "mlops_model_info", "gauge", "The model being served (always 1).");
        text.Append("mlops_model_info{name=\"").Append(Escape(_model.Name))
            .Append("\",version=\"").Append(Escape(_model.Version))
            .Append("\",task=\"").Append(_model.Task.ToString().ToLowerInvariant())
            .Append("\",sha256=\"").Append(_model.Sha256).Append("\"} 1\n");
        Header(text, "mlops_model_ready", "gauge", "1 once the model is loaded and predictions are served.");
        text.Append("mlops_model_ready ").Append(Ready ? '1' : '0').Append('\n');

        Header(text, "mlops_http_requests_total", "counter", "HTTP requests by endpoint and status code.");
        foreach (var ((endpoint, status), counter) in _requests.OrderBy(pair => pair.Key.Endpoint).ThenBy(pair => pair.Key.Status))
        {
            text.Append("mlops_http_requests_total{endpoint=\"").Append(Endpoints[endpoint]).Append("\",status=\"")
                .Append(status.ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(Number(counter.Value)).Append('\n');
        }

        Header(text, "mlops_http_request_duration_seconds", "histogram", "Time from request to response, by endpoint.");
        for (var endpoint = 0; endpoint < Endpoints.Length; endpoint++)
        {
            if (_latency[endpoint].Count > 0)
            {
                _latency[endpoint].Write(text, "mlops_http_request_duration_seconds", $"endpoint=\"{Endpoints[endpoint]}\"");
            }
        }

        if (_model.Task != TaskKind.Regression)
        {
            Header(text, "mlops_predictions_total", "counter", "Records scored, by predicted label.");
            for (var i = 0; i < _predictedClasses.Length; i++)
            {
                text.Append("mlops_predictions_total{label=\"").Append(Escape(_model.Classes[i])).Append("\"} ")
                    .Append(Number(Interlocked.Read(ref _predictedClasses[i]))).Append('\n');
            }

            if (Interlocked.Read(ref _predictedNone) > 0)
            {
                text.Append("mlops_predictions_total{label=\"\"} ").Append(Number(Interlocked.Read(ref _predictedNone))).Append('\n');
            }
        }

        if (_probability is not null)
        {
            Header(text, "mlops_prediction_probability", "histogram", $"Predicted probability of the positive class '{_model.PositiveClass}'.");
            _probability.Write(text, "mlops_prediction_probability", null);
        }

        if (_value is not null)
        {
            Header(text, "mlops_prediction_value", "histogram", "Predicted values.");
            _value.Write(text, "mlops_prediction_value", null);
        }

        if (_logging)
        {
            Header(text, "mlops_prediction_log_records_total", "counter", "Records written to the prediction log.");
            text.Append("mlops_prediction_log_records_total ").Append(Number(Interlocked.Read(ref _logWritten))).Append('\n');
            Header(text, "mlops_prediction_log_dropped_total", "counter", "Records left out of the prediction log because its queue was full or a write failed.");
            text.Append("mlops_prediction_log_dropped_total ").Append(Number(Interlocked.Read(ref _logDropped))).Append('\n');
        }

        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>A label value: backslash, double quote and line feed escaped.</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }
}

/// <summary>A Prometheus histogram: counts per upper bound (inclusive), plus the sum and count of observations.</summary>
internal sealed class Histogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _sumBits;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var bucket = 0;
        while (bucket < bounds.Length && value > bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _count);
        long seen, updated;
        do
        {
            seen = Interlocked.Read(ref _sumBits);
            updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
        }
        while (Interlocked.CompareExchange(ref _sumBits, updated, seen) != seen);
    }

    public void Write(StringBuilder text, string name, string? labels)
    {
        var prefix = labels is null ? "" : labels + ",";
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            var bound = i < bounds.Length ? ServingMetrics.Number(bounds[i]) : "+Inf";
            text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(bound).Append("\"} ").Append(ServingMetrics.Number(cumulative)).Append('\n');
        }

        var suffix = labels is null ? "" : "{" + labels + "}";
        text.Append(name).Append("_sum").Append(suffix).Append(' ').Append(ServingMetrics.Number(BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits)))).Append('\n');
        text.Append(name).Append("_count").Append(suffix).Append(' ').Append(ServingMetrics.Number(cumulative)).Append('\n');
    }
}
