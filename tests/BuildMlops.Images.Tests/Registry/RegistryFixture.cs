using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>
/// A fixture with its own real registry and the usual small image built once. Without docker-registry (or
/// htpasswd) every test of the fixture fails with what to install: CI=true or not, they are never skipped.
/// </summary>
public abstract class RegistryFixture(bool withAuth = false)
{
    private RegistryServer? server;
    private TemporaryDirectory? temporary;
    private ImageResult? image;

    protected RegistryServer Server => server ?? throw new InvalidOperationException("the registry was not started");

    protected TemporaryDirectory Temporary => temporary ?? throw new InvalidOperationException("the fixture was not set up");

    /// <summary>Base layer, app layer, model layer and config: four blobs.</summary>
    protected ImageResult Image => image ?? throw new InvalidOperationException("the fixture was not set up");

    [OneTimeSetUp]
    public void StartRegistryAndBuildImage()
    {
        try
        {
            server = RegistryServer.Start(withAuth);
        }
        catch (InvalidOperationException exception)
        {
            var where = Environment.GetEnvironmentVariable("CI") == "true" ? "CI must install it: check .ci/run" : "install it";
            Assert.Fail($"the registry tests need a real registry, {where}. {exception.Message}");
        }

        temporary = new TemporaryDirectory("registry-" + GetType().Name);
        image = RegistryTestImages.Build(temporary, "image");
    }

    [OneTimeTearDown]
    public void StopRegistry()
    {
        server?.Dispose();
        temporary?.Dispose();
    }

    protected ImageReference Reference(string repositoryAndTag) => RegistryTestClient.Reference(Server, repositoryAndTag);
}
