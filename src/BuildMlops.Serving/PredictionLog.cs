using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace BuildMlops.Serving;

/// <summary>
/// The optional prediction log: one JSON line per scored record,
/// <c>{"timestamp": ..., "model": ..., "input": {...}, "output": {...}}</c>, appended to a file for later
/// drift analysis. Requests only enqueue their batch; one background task formats and writes. The queue is
/// bounded by records (<see cref="ServingOptions.PredictionLogCapacity"/>): when it is full, or a write
/// fails, records are dropped and counted (mlops_prediction_log_dropped_total), never waited for.
/// </summary>
internal sealed class PredictionLog : IAsyncDisposable
{
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FileStream _file;
    private readonly ServingMetrics _metrics;
    private readonly ResponseWriter _responses;
    private readonly string _version;
    private readonly int _capacity;
    private readonly Task _writer;
    private readonly TextWriter? _status;
    private int _pending;
    private int _unflushed;
    private bool _reportedFailure;

    public PredictionLog(string path, int capacity, ServingMetrics metrics, ResponseWriter responses, string version, TextWriter? status)
    {
        _metrics = metrics;
        _responses = responses;
        _version = version;
        _capacity = Math.Max(1, capacity);
        _status = status;
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            {
                Directory.CreateDirectory(directory);
            }

            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw ModelDescription.NotServable(path, $"the prediction log cannot be opened: {exception.Message}", "Give a file in a writable folder");
        }

        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues a request's records and predictions, or drops them if the queue is full.</summary>
    public void Add(RecordBatch batch, Prediction[] predictions)
    {
        if (Interlocked.Add(ref _pending, batch.Count) > _capacity || !_queue.Writer.TryWrite(new Entry(DateTime.UtcNow, batch, predictions)))
        {
            Interlocked.Add(ref _pending, -batch.Count);
            _metrics.LogDropped(batch.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var json = new Utf8JsonWriter(buffer, ResponseWriter.WriterOptions);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                Interlocked.Add(ref _pending, -entry.Batch.Count);
                var timestamp = entry.Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    for (var record = 0; record < entry.Batch.Count; record++)
                    {
                        json.Reset(buffer);
                        json.WriteStartObject();
                        json.WriteString("timestamp", timestamp);
                        json.WriteString("model", _version);
                        json.WritePropertyName("input");
                        _responses.WriteRecord(json, entry.Batch, record);
                        json.WritePropertyName("output");
                        _responses.WritePrediction(json, entry.Predictions[record]);
                        json.WriteEndObject();
                        json.Flush();
                        buffer.Write("\n"u8);
                    }

                    _unflushed += entry.Batch.Count;
                }
                catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
                {
                    // Never expected; the writer must outlive any one entry all the same.
                    _metrics.LogDropped(entry.Batch.Count);
                    ReportFailure(exception);
                }

                if (buffer.WrittenCount >= 64 * 1024)
                {
                    Write(buffer);
                }
            }

            Write(buffer);
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Hands the formatted lines to the file; on failure they are dropped and counted.</summary>
    private void Write(ArrayBufferWriter<byte> buffer)
    {
        var records = _unflushed;
        _unflushed = 0;
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            _file.Write(buffer.WrittenSpan);
            _metrics.LogWritten(records);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _metrics.LogDropped(records);
            ReportFailure(exception);
        }

        buffer.ResetWrittenCount();
    }

    private async Task FlushAsync()
    {
        try
        {
            await _file.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            ReportFailure(exception);
        }
    }

    private void ReportFailure(Exception exception)
    {
        if (!_reportedFailure)
        {
            _reportedFailure = true;
            _status?.WriteLine($"warning: the prediction log cannot be written ({exception.Message}); records are dropped and counted in mlops_prediction_log_dropped_total");
        }
    }

    private sealed record Entry(DateTime Timestamp, RecordBatch Batch, Prediction[] Predictions);
}
