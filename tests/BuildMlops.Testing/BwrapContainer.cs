using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace BuildMlops.Testing;

/// <summary>
/// Runs an unpacked image (an OCI runtime bundle from <c>umoci unpack --rootless</c>) the way a
/// container engine would, without one: Debian's bubblewrap makes the bundle's rootfs the root file
/// system, and the process gets the image config's user, working directory, environment and entry
/// point, nothing of the host's. Only the network is shared, so the test can call the server on
/// 127.0.0.1. Killed on dispose.
/// </summary>
public sealed class BwrapContainer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BwrapContainer(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the image's entry point, listening on a free port through ASPNETCORE_HTTP_PORTS.</summary>
    public static BwrapContainer Start(string bundleDirectory)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundleDirectory, "config.json")))!;
        var processConfig = config["process"]!;
        var rootfs = Path.Combine(bundleDirectory, (string?)config["root"]?["path"] ?? "rootfs");
        var port = FreePort();
        var start = new ProcessStartInfo("bwrap")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var uid = (int?)processConfig["user"]?["uid"] ?? 1654;
        var gid = (int?)processConfig["user"]?["gid"] ?? uid;
        string[] arguments =
        [
            "--bind", rootfs, "/",
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gid", gid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--chdir", (string?)processConfig["cwd"] ?? "/",
            "--die-with-parent",
            "--clearenv",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in processConfig["env"]?.AsArray() ?? [])
        {
            var text = (string)variable!;
            var equals = text.IndexOf('=');
            var name = text[..equals];
            var value = name == "ASPNETCORE_HTTP_PORTS" ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : text[(equals + 1)..];
            start.ArgumentList.Add("--setenv");
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value);
        }

        start.ArgumentList.Add("--");
        foreach (var argument in processConfig["args"]!.AsArray())
        {
            start.ArgumentList.Add((string)argument!);
        }

        return new BwrapContainer(Process.Start(start) ?? throw new InvalidOperationException("cannot start bwrap (install Debian's bubblewrap; CI's .ci/run does)"), port);
    }

    /// <summary>Waits until GET <paramref name="path"/> answers 200, or fails with the container's output.</summary>
    public async Task WaitUntilAsync(HttpClient client, string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the container exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, path));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{path} did not answer 200 within {timeout}:\n{Output}");
    }

    public void Dispose() => ProcessTree.Stop(_process);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
