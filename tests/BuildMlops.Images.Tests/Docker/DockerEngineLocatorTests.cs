using BuildMlops.Diagnostics;
using BuildMlops.Images.Docker;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>
/// Where the engine is looked for: DOCKER_HOST first, else the default sockets in their documented order. The
/// sockets are files in a temporary folder (XDG_RUNTIME_DIR and HOME point there), and the existence check only
/// believes files in that folder, so whatever this machine has under /var/run or /run does not count.
/// </summary>
[TestFixture]
public sealed class DockerEngineLocatorTests
{
    private TemporaryDirectory temporary = null!;

    [SetUp]
    public void CreateFolder() => temporary = new TemporaryDirectory("docker-locator");

    [TearDown]
    public void DeleteFolder() => temporary.Dispose();

    [TestCase("unix:///run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock")]
    [TestCase("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375/")]
    [TestCase("tcp://docker.example.org", "tcp://docker.example.org:2375/")]
    [TestCase("  tcp://10.0.0.5:12345  ", "tcp://10.0.0.5:12345/")]
    [TestCase("npipe:////./pipe/docker_engine", "npipe://./pipe/docker_engine")]
    [TestCase("npipe://./pipe/podman-machine-default", "npipe://./pipe/podman-machine-default")]
    public void GivenDockerHost_WhenLocating_ThenItIsTheEndpointWhateverSocketsExist(string dockerHost, string expected)
    {
        var endpoint = DockerEngineLocator.Locate(Environment(("DOCKER_HOST", dockerHost)), _ => true, windows: false);

        Assert.That(endpoint.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void GivenDockerHostWithSpacesInTheSocketPath_WhenLocating_ThenThePathSurvives()
    {
        var endpoint = DockerEngineLocator.Locate(Environment(("DOCKER_HOST", "unix:///tmp/my engines/docker.sock")), _ => false, windows: false);

        Assert.That(DockerEngineLocator.SocketPath(endpoint), Is.EqualTo("/tmp/my engines/docker.sock"));
    }

    [TestCase("ssh://me@build-host")]
    [TestCase("localhost:2375")]
    [TestCase("/var/run/docker.sock")]
    [TestCase("fd://")]
    [TestCase("unix://relative.sock")]
    public void GivenDockerHostThatIsNoUsableAddress_WhenLocating_ThenBM7009SaysWhatDockerHostMayBe(string dockerHost)
    {
        var error = Assert.Throws<MlopsException>(() => DockerEngineLocator.Locate(Environment(("DOCKER_HOST", dockerHost)), _ => true, windows: false))!;

        Assert.That(error.Code, Is.EqualTo("BM7009"));
        Assert.That(error.Message, Does.Contain("DOCKER_HOST").And.Contain(dockerHost));
        Assert.That(error.Help, Does.Contain("unix://").And.Contain("tcp://"));
    }

    [Test]
    public void GivenNoDockerHostAndNoSocket_WhenLocating_ThenItIsTheUsualDockerSocket()
    {
        var endpoint = DockerEngineLocator.Locate(Environment(("DOCKER_HOST", "")), _ => false, windows: false);

        Assert.That(endpoint.ToString(), Is.EqualTo("unix:///var/run/docker.sock"));
    }

    [Test]
    public void GivenNoDockerHostOnWindows_WhenLocating_ThenItIsDockerDesktopsPipe()
    {
        var endpoint = DockerEngineLocator.Locate(Environment(), _ => true, windows: true);

        Assert.That(endpoint.ToString(), Is.EqualTo("npipe://./pipe/docker_engine"));
    }

    [Test]
    public void GivenOnlyRootlessPodmansSocket_WhenLocating_ThenItIsPodmans()
    {
        var runtime = temporary.Combine("run");
        var podman = Touch(Path.Combine(runtime, "podman", "podman.sock"));

        var endpoint = DockerEngineLocator.Locate(Environment(("XDG_RUNTIME_DIR", runtime), ("HOME", temporary.Combine("home"))), InTemporary, windows: false);

        Assert.That(DockerEngineLocator.SocketPath(endpoint), Is.EqualTo(podman));
    }

    [Test]
    public void GivenRootlessDockerAndRootlessPodman_WhenLocating_ThenRootlessDockerComesFirst()
    {
        var runtime = temporary.Combine("run");
        var docker = Touch(Path.Combine(runtime, "docker.sock"));
        Touch(Path.Combine(runtime, "podman", "podman.sock"));

        var endpoint = DockerEngineLocator.Locate(Environment(("XDG_RUNTIME_DIR", runtime)), InTemporary, windows: false);

        Assert.That(DockerEngineLocator.SocketPath(endpoint), Is.EqualTo(docker));
    }

    [Test]
    public void GivenDockerDesktopsSocketInHome_WhenLocating_ThenItIsDockerDesktops()
    {
        var home = temporary.Combine("home");
        var desktop = Touch(Path.Combine(home, ".docker", "run", "docker.sock"));

        var endpoint = DockerEngineLocator.Locate(Environment(("HOME", home)), InTemporary, windows: false);

        Assert.That(DockerEngineLocator.SocketPath(endpoint), Is.EqualTo(desktop));
    }

    [Test]
    public void GivenTheSystemSocketAndRootlessOnes_WhenLocating_ThenTheSystemSocketComesFirst()
    {
        var runtime = temporary.Combine("run");
        Touch(Path.Combine(runtime, "docker.sock"));

        var endpoint = DockerEngineLocator.Locate(Environment(("XDG_RUNTIME_DIR", runtime)), path => path == "/var/run/docker.sock" || InTemporary(path), windows: false);

        Assert.That(endpoint.ToString(), Is.EqualTo("unix:///var/run/docker.sock"));
    }

    [Test]
    public void GivenTheEnvironment_WhenListingTheDefaultSockets_ThenTheyAreInTheDocumentedOrder()
    {
        var sockets = DockerEngineLocator.DefaultSockets(Environment(("XDG_RUNTIME_DIR", "/run/user/1000"), ("HOME", "/home/me")));

        Assert.That(sockets, Is.EqualTo(new[]
        {
            "/var/run/docker.sock",
            "/run/user/1000/docker.sock",
            "/home/me/.docker/run/docker.sock",
            "/home/me/.docker/desktop/docker.sock",
            "/home/me/.colima/default/docker.sock",
            "/run/user/1000/podman/podman.sock",
            "/run/podman/podman.sock",
        }));
    }

    [Test]
    public void GivenNoRuntimeDirectoryNorHome_WhenListingTheDefaultSockets_ThenOnlyTheSystemWideOnesRemain()
    {
        Assert.That(DockerEngineLocator.DefaultSockets(Environment()), Is.EqualTo(new[] { "/var/run/docker.sock", "/run/podman/podman.sock" }));
    }

    private bool InTemporary(string path) => path.StartsWith(temporary.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(path);

    private static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.Where(variable => variable.Name == name).Select(variable => variable.Value).FirstOrDefault();
}
