using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildMlops.Testing;

/// <summary>
/// A real OCI distribution registry for tests: Debian's <c>docker-registry</c> (the CNCF distribution registry,
/// v2.8: monolithic and chunked uploads, cross-repository mounts, deletes) serving plain HTTP on 127.0.0.1, on a
/// free port, over a fresh temporary folder. With auth it checks an htpasswd file (bcrypt, written by
/// <c>htpasswd</c> from apache2-utils) and answers Basic challenges. Killed and its folder deleted on dispose.
/// When either program is missing, <see cref="Start"/> throws with what to install, so tests that use it fail
/// (in CI and elsewhere alike) rather than skip.
/// </summary>
public sealed class RegistryServer : IDisposable
{
    public const string Username = "mlops-tests";

    /// <summary>What to run to make <see cref="Start"/> work on this machine.</summary>
    public const string InstallHint = "install it with 'apt-get install docker-registry apache2-utils' (CI's .ci/run must do this)";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A port picked free can be taken before the registry binds it; a new one is tried this often.</summary>
    private const int StartAttempts = 5;

    private readonly TemporaryDirectory directory;
    private readonly StringBuilder output = new();
    private Process? process;

    private RegistryServer(TemporaryDirectory directory, string? password)
    {
        this.directory = directory;
        Password = password;
    }

    /// <summary><c>127.0.0.1:port</c>: the registry part of a reference, and the entry to list as insecure.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public int Port { get; private set; }

    /// <summary>The password <see cref="Username"/> has, or null when the registry takes anyone.</summary>
    public string? Password { get; }

    public bool RequiresAuth => Password is not null;

    /// <summary>Where the registry keeps repositories and blobs (<c>docker/registry/v2/…</c>).</summary>
    public string StorageDirectory => directory.Combine("storage");

    /// <summary>The registry's output so far, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts a registry (requiring <see cref="Username"/> and a fresh random <see cref="Password"/> when
    /// <paramref name="withAuth"/>) and waits until GET /v2/ answers.</summary>
    public static RegistryServer Start(bool withAuth = false)
    {
        var registry = FindOnPath("docker-registry")
            ?? throw new InvalidOperationException($"docker-registry is not on PATH: {InstallHint}");
        var directory = new TemporaryDirectory("registry");
        var server = new RegistryServer(directory, withAuth ? "pw-" + Guid.NewGuid().ToString("N") : null);
        try
        {
            Directory.CreateDirectory(server.StorageDirectory);
            if (server.Password is not null)
            {
                server.WriteHtpasswd();
            }

            for (var attempt = 1; ; attempt++)
            {
                server.Port = FreePort();
                server.StartProcess(registry);
                if (server.WaitUntilItAnswers())
                {
                    return server;
                }

                if (attempt == StartAttempts)
                {
                    throw new InvalidOperationException($"docker-registry did not answer on 127.0.0.1 within {StartTimeout.TotalSeconds:0} s (tried {StartAttempts} ports); if it is broken, reinstall it ({InstallHint}). Its output:\n{server.Output}");
                }

                server.StopProcess();
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        StopProcess();
        directory.Dispose();
    }

    /// <summary>A port the system just gave out and took back: free unless someone else takes it first.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private void WriteHtpasswd()
    {
        var htpasswd = FindOnPath("htpasswd")
            ?? throw new InvalidOperationException($"htpasswd is not on PATH: {InstallHint}");
        var result = ProcessRunner.Run(htpasswd, ["-Bbn", Username, Password!], directory.Path, timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"htpasswd failed: {result}");
        }

        File.WriteAllText(directory.Combine("htpasswd"), result.StandardOutput);
    }

    private void StartProcess(string registry)
    {
        var config = directory.Combine("config.yml");
        File.WriteAllText(config, Config());
        var start = new ProcessStartInfo(registry)
        {
            WorkingDirectory = directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>YAML by hand: paths are quoted, and nothing else in it varies.</summary>
    private string Config()
    {
        var config = new StringBuilder();
        config.AppendLine("version: 0.1");
        config.AppendLine("log:");
        config.AppendLine("  level: info");
        config.AppendLine("  accesslog:");
        config.AppendLine("    disabled: true");
        config.AppendLine("storage:");
        config.AppendLine("  filesystem:");
        config.AppendLine($"    rootdirectory: \"{StorageDirectory}\"");
        config.AppendLine("  delete:");
        config.AppendLine("    enabled: true");
        config.AppendLine("  maintenance:");
        config.AppendLine("    uploadpurging:");
        config.AppendLine("      enabled: false");
        config.AppendLine("http:");
        config.AppendLine(CultureInfo.InvariantCulture, $"  addr: 127.0.0.1:{Port}");
        config.AppendLine(CultureInfo.InvariantCulture, $"  secret: \"{Guid.NewGuid():N}\"");
        if (Password is not null)
        {
            config.AppendLine("auth:");
            config.AppendLine("  htpasswd:");
            config.AppendLine("    realm: buildmlops-tests");
            config.AppendLine($"    path: \"{directory.Combine("htpasswd")}\"");
        }

        return config.ToString();
    }

    /// <summary>
    /// True once the registry has said it listens (logged after it bound the port, so another server that took
    /// the port cannot pass for it) and GET /v2/ answers 200 (or 401 with auth); false when it exits first.
    /// </summary>
    private bool WaitUntilItAnswers()
    {
        var listening = $"listening on {Address}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                return false;
            }

            if (!Output.Contains(listening, StringComparison.Ordinal))
            {
                Thread.Sleep(20);
                continue;
            }

            try
            {
                using var response = http.GetAsync($"http://{Address}/v2/").GetAwaiter().GetResult();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            Thread.Sleep(50);
        }

        return false;
    }

    private void StopProcess()
    {
        if (process is null)
        {
            return;
        }

        ProcessTree.Stop(process);
        process = null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
