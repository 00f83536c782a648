using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Docker;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>
/// Connecting to an engine that is not there, or is there but broken, fails quickly with BM7009 naming the endpoint.
/// <para>
/// <see cref="DockerEngine.LoadAsync"/> and <see cref="DockerEngine.SmokeTestAsync"/> are not run by any test here:
/// CI machines and developer containers have no Docker or Podman engine and cannot run one, and a stand-in engine
/// good enough to load images and run containers would test the stand-in, not the code. The two methods are kept thin
/// over Docker.DotNet; what they add that can go wrong without an engine is tested where it lives: the docker-archive
/// they load in DockerArchiveWriterTests and DockerArchiveToolTests (read back by skopeo, whose containers/image
/// library is what Podman loads docker-archives with, and unpacked by umoci), and endpoint discovery and connection
/// errors here. Try them by hand on a machine with an engine: <c>dotnet build -t:MlopsSmokeTest</c> on an example
/// pipeline.
/// </para>
/// </summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class DockerEngineConnectTests
{
    /// <summary>How fast a failed connection must fail: the 5 s ping timeout plus room for a busy machine.</summary>
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(10);

    private TemporaryDirectory temporary = null!;

    [SetUp]
    public void CreateFolder() => temporary = new TemporaryDirectory("engine"); // short: socket paths are limited to ~100 bytes

    [TearDown]
    public void DeleteFolder() => temporary.Dispose();

    [Test]
    public void GivenDockerHostNamingASocketThatDoesNotExist_WhenConnecting_ThenBM7009NamesTheEndpointAndSaysWhatToDo()
    {
        var socket = temporary.Combine("missing.sock");

        var (error, elapsed) = ConnectFails(("DOCKER_HOST", "unix://" + socket));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("unix://" + socket).And.Contain("DOCKER_HOST").And.Contain("no socket at " + socket));
        Assert.That(error.Help, Does.Contain("MlopsDockerLoad").And.Contain("MlopsSmokeTest").And.Contain("DOCKER_HOST="));
        Assert.That(error.ToCanonicalString(), Does.StartWith("mlops : error BM7009: unix://" + socket + ": "));
        Assert.That(elapsed, Is.LessThan(Quickly));
    }

    [Test]
    public void GivenDockerHostNamingAClosedTcpPort_WhenConnecting_ThenBM7009SaysTheConnectionWasRefused()
    {
        var port = ClosedPort();

        var (error, elapsed) = ConnectFails(("DOCKER_HOST", $"tcp://127.0.0.1:{port}"));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain($"tcp://127.0.0.1:{port}").And.Contain("refused"));
        Assert.That(elapsed, Is.LessThan(Quickly));
    }

    [Test]
    public void GivenNoDockerHost_WhenConnectingFails_ThenBM7009ListsTheSocketsItLookedFor()
    {
        var home = temporary.Combine("home");

        // Only when this machine has no engine socket of its own does the default endpoint fail for sure.
        var defaults = DockerEngineLocator.DefaultSockets(name => name == "HOME" ? home : null);
        Assume.That(defaults.Any(File.Exists), Is.False, "this machine has an engine socket");

        var (error, elapsed) = ConnectFails(("HOME", home));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("unix:///var/run/docker.sock").And.Contain("DOCKER_HOST is not set")
            .And.Contain(Path.Combine(home, ".docker", "run", "docker.sock")).And.Contain("/run/podman/podman.sock"));
        Assert.That(elapsed, Is.LessThan(Quickly));
    }

    [Test]
    public void GivenAnEngineSocketAnswering500ToPing_WhenConnecting_ThenBM7009GivesTheStatusAndTheBody()
    {
        using var server = new UnixSocketHttpServer(temporary.Combine("broken.sock"), "500 Internal Server Error", "containerd is not running\n");

        var (error, elapsed) = ConnectFails(("DOCKER_HOST", "unix://" + server.SocketPath));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("unix://" + server.SocketPath).And.Contain("HTTP 500").And.Contain("containerd is not running"));
        Assert.That(server.RequestLines, Has.Some.Match(@"^(GET|HEAD) /(v[\d.]+/)?_ping HTTP/1\.1$"), "it asked the engine's ping endpoint");
        Assert.That(elapsed, Is.LessThan(Quickly));
    }

    [Test]
    public void GivenASocketThatIsNoEngine_WhenConnecting_ThenBM7009GivesTheStatusItAnswered()
    {
        using var server = new UnixSocketHttpServer(temporary.Combine("web.sock"), "404 Not Found", "<html>nothing here</html>");

        var (error, _) = ConnectFails(("DOCKER_HOST", "unix://" + server.SocketPath));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("HTTP 404").And.Contain("nothing here"));
    }

    [Test]
    public void GivenAnEngineSocketThatNeverAnswers_WhenConnecting_ThenBM7009AfterThePingTimeout()
    {
        using var server = new UnixSocketHttpServer(temporary.Combine("hung.sock"), status: null);

        var (error, elapsed) = ConnectFails(("DOCKER_HOST", "unix://" + server.SocketPath));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("unix://" + server.SocketPath).And.Contain("did not answer within 5 s"));
        Assert.That(server.Requests, Is.EqualTo(1), "the request reached the socket");
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(4.5)).And.LessThan(Quickly));
    }

    [Test]
    public void GivenASocketAnsweringPingWithOk_WhenConnecting_ThenTheEngineIsConnectedThere()
    {
        // Only the ping: this is the success path of connecting, not a stand-in for loading or running images.
        using var server = new UnixSocketHttpServer(temporary.Combine("ok.sock"), "200 OK", "OK");

        using var engine = DockerEngine.ConnectAsync(Environment(("DOCKER_HOST", "unix://" + server.SocketPath)), CancellationToken.None).GetAwaiter().GetResult();

        Assert.That(DockerEngineLocator.SocketPath(engine.Endpoint), Is.EqualTo(server.SocketPath));
        Assert.That(server.Requests, Is.EqualTo(1));
    }

    [Test]
    public void GivenATlsEngineOverTcp_WhenConnecting_ThenBM7009SaysTlsIsNotSupportedWithoutTryingPlainHttp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (error, _) = ConnectFails(("DOCKER_HOST", $"tcp://127.0.0.1:{port}"), ("DOCKER_TLS_VERIFY", "1"));

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("TLS"));
        Assert.That(listener.Pending(), Is.False, "no connection was attempted");
    }

    [Test]
    public void GivenACancelledToken_WhenConnecting_ThenItIsCancelledNotBM7009()
    {
        using var server = new UnixSocketHttpServer(temporary.Combine("slow.sock"), status: null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(
            () => DockerEngine.ConnectAsync(Environment(("DOCKER_HOST", "unix://" + server.SocketPath)), cancel.Token).GetAwaiter().GetResult(),
            Throws.InstanceOf<OperationCanceledException>());
    }

    private static (MlopsException Error, TimeSpan Elapsed) ConnectFails(params (string Name, string Value)[] variables)
    {
        var stopwatch = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<MlopsException>(async () =>
        {
            using var engine = await DockerEngine.ConnectAsync(Environment(variables), CancellationToken.None);
        })!;
        return (error, stopwatch.Elapsed);
    }

    /// <summary>A port that was free a moment ago and has nothing listening now.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.Where(variable => variable.Name == name).Select(variable => variable.Value).FirstOrDefault();
}
