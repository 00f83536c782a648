using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace BuildMlops.Testing;

/// <summary>
/// A real S3 API for tests: s3rver (npm <c>@20minutes/s3rver</c>, installed by <c>npm ci --prefix tests/servers</c>
/// and started by <c>tests/servers/s3rver.js</c>) on 127.0.0.1, on a port the system picks, over a fresh
/// temporary folder, with one bucket made at start. It checks SigV4 signatures, so a wrong secret key is
/// refused as by S3. Killed and its folder deleted on dispose. When s3rver or node is missing,
/// <see cref="Start"/> throws with what to run, so tests that use it fail (in CI and elsewhere alike)
/// rather than skip.
/// </summary>
public sealed partial class S3Server : IDisposable
{
    /// <summary>The key pair s3rver accepts out of the box.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public const string DefaultBucket = "buildmlops-tests";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ListeningProcess process;
    private readonly TemporaryDirectory directory;

    private S3Server(ListeningProcess process, TemporaryDirectory directory, string bucket)
    {
        this.process = process;
        this.directory = directory;
        Bucket = bucket;
    }

    /// <summary>The script that starts s3rver, committed beside its package.json.</summary>
    public static string ScriptPath => Path.Combine(ServersFolder, "s3rver.js");

    /// <summary>The package, as <c>npm ci --prefix tests/servers</c> installs it.</summary>
    public static string PackagePath => Path.Combine(ServersFolder, "node_modules", "@20minutes", "s3rver", "package.json");

    private static string ServersFolder => Path.Combine(RepoLayout.Root, "tests", "servers");

    /// <summary>What to run to make <see cref="Start"/> work on this machine.</summary>
    public static string InstallHint => $"install it with 'npm ci --prefix tests/servers' in {RepoLayout.Root} (CI's .ci/run does this)";

    /// <summary><c>http://127.0.0.1:port</c>, for an S3 client's endpoint (path-style addressing).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public int Port => process.Port;

    public string Bucket { get; }

    /// <summary>Where s3rver keeps the buckets: <c>&lt;DataDirectory&gt;/&lt;bucket&gt;/&lt;key&gt;</c> plus metadata files.</summary>
    public string DataDirectory => directory.Path;

    /// <summary>The server's output so far, for a failing test's message.</summary>
    public string Output => process.Output;

    /// <summary>Starts s3rver with <paramref name="bucket"/> created and waits until it answers.</summary>
    public static S3Server Start(string bucket = DefaultBucket)
    {
        if (!File.Exists(PackagePath))
        {
            throw new InvalidOperationException($"s3rver is not installed ({PackagePath} is missing): {InstallHint}");
        }

        var directory = new TemporaryDirectory("s3rver");
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory.Path };
        // s3rver builds listing continuation tokens with DES, which OpenSSL 3 offers only through its legacy provider.
        foreach (var argument in new[] { "--openssl-legacy-provider", ScriptPath, "--directory", directory.Path, "--address", "127.0.0.1", "--port", "0", "--bucket", bucket })
        {
            start.ArgumentList.Add(argument);
        }

        S3Server? server = null;
        try
        {
            server = new S3Server(ListeningProcess.Start("s3rver", start, ListeningLine(), StartTimeout, $"install Node.js (apt-get install nodejs), then {InstallHint}"), directory, bucket);
            server.WaitUntilItAnswers();
            return server;
        }
        catch
        {
            if (server is null)
            {
                directory.Dispose();
            }
            else
            {
                server.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        process.Dispose();
        directory.Dispose();
    }

    [GeneratedRegex(@"S3rver listening on [^\s:]+:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Listening is announced once the socket is bound; a connection proves it accepts.</summary>
    private void WaitUntilItAnswers()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }
}
