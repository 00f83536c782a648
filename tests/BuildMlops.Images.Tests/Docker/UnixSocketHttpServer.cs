using System.Net.Sockets;
using System.Text;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>
/// A real HTTP/1.1 server on a unix socket that answers every request with one fixed response, or never answers:
/// enough to stand where an engine's socket would be and play an engine that is up but broken or hung. It is no
/// Docker engine and only ever meets the first request of a connection (the ping).
/// </summary>
internal sealed class UnixSocketHttpServer : IDisposable
{
    private readonly Socket listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly List<Socket> connections = [];
    private int requests;

    /// <param name="socketPath">Where to create the socket (at most about 100 bytes long).</param>
    /// <param name="status">The status line's code and reason, e.g. "500 Internal Server Error"; null never to answer.</param>
    /// <param name="body">The response body.</param>
    public UnixSocketHttpServer(string socketPath, string? status, string body = "")
    {
        SocketPath = socketPath;
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(16);
        accepting = Task.Run(() => AcceptAsync(status, body));
    }

    public string SocketPath { get; }

    /// <summary>How many requests have arrived (answered or not).</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>The request lines seen, e.g. "GET /_ping HTTP/1.1".</summary>
    public List<string> RequestLines { get; } = [];

    public void Dispose()
    {
        stop.Cancel();
        listener.Dispose();
        lock (connections)
        {
            connections.ForEach(connection => connection.Dispose());
        }

        try
        {
            accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends by the listener being disposed under it.
        }

        stop.Dispose();
        File.Delete(SocketPath);
    }

    private async Task AcceptAsync(string? status, string body)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (connections)
            {
                connections.Add(connection);
            }

            _ = Task.Run(() => AnswerAsync(connection, status, body));
        }
    }

    /// <summary>
    /// Whether the request head is complete: a blank line, ending in CRLF or in a bare LF. Docker.DotNet 3.125 ends
    /// header lines with Environment.NewLine (testcontainers/Docker.DotNet#69), a bare LF on Unix, which engines
    /// accept because Go's net/http does; so must a socket that stands in for one.
    /// </summary>
    private static bool EndsHead(string received) =>
        received.Contains("\n\r\n", StringComparison.Ordinal) || received.Contains("\n\n", StringComparison.Ordinal);

    private async Task AnswerAsync(Socket connection, string? status, string body)
    {
        try
        {
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!EndsHead(received.ToString()))
            {
                var count = await connection.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (count == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, count));
            }

            lock (RequestLines)
            {
                RequestLines.Add(received.ToString().Split('\n')[0].TrimEnd('\r'));
            }

            Interlocked.Increment(ref requests);
            if (status is null)
            {
                return; // Hung: the connection stays open and silent until the server is disposed.
            }

            var content = Encoding.UTF8.GetBytes(body);
            var head = $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
            await connection.SendAsync(Encoding.ASCII.GetBytes(head).Concat(content).ToArray(), SocketFlags.None, stop.Token);
            connection.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The test is over.
        }
    }
}
