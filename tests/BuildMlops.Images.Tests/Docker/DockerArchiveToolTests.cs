using System.Runtime.Versioning;
using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>
/// Independent readers take the docker-archive: skopeo (containers/image, the library Podman loads docker-archives
/// with) inspects it and copies it to an OCI layout, and umoci unpacks that into the files the image was made of.
/// </summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class DockerArchiveToolTests
{
    private TemporaryDirectory temporary = null!;
    private ImageResult image = null!;
    private string archivePath = null!;

    [OneTimeSetUp]
    public void BuildAndConvert()
    {
        temporary = new TemporaryDirectory("docker-archive-tools");
        var inputs = ImageInputs.Create(temporary.Combine("inputs"), variant: 4);
        image = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), temporary.Combine("image.tar"), _ => null);
        archivePath = temporary.Combine("docker-archive.tar");
        DockerArchives.Convert(image.TarPath!, archivePath);
    }

    [OneTimeTearDown]
    public void Delete() => temporary.Dispose();

    [Test]
    public void GivenTheArchive_WhenSkopeoInspectsIt_ThenItIsTheImageWithItsLabelsTimeAndPlatform()
    {
        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", $"docker-archive:{archivePath}").StandardOutput).RootElement;

        Assert.That(inspect.GetProperty("Created").GetString(), Is.EqualTo("2024-05-17T07:30:12Z"));
        Assert.That(inspect.GetProperty("Architecture").GetString(), Is.EqualTo("amd64"));
        Assert.That(inspect.GetProperty("Os").GetString(), Is.EqualTo("linux"));
        Assert.That(inspect.GetProperty("Labels").GetProperty("buildmlops.metric.auc").GetString(), Is.EqualTo("0.8412"));
        Assert.That(inspect.GetProperty("Layers").GetArrayLength(), Is.EqualTo(image.Layers.Count));
    }

    [Test]
    public void GivenTheArchive_WhenSkopeoReadsItsManifestAndConfig_ThenTheConfigIsTheImagesOwnWithItsDiffIds()
    {
        var raw = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--raw", $"docker-archive:{archivePath}").StandardOutput).RootElement;
        var config = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--config", $"docker-archive:{archivePath}").StandardOutput).RootElement;

        // The same config bytes, so the same image ID a Docker engine gives it.
        Assert.That(raw.GetProperty("config").GetProperty("digest").GetString(), Is.EqualTo(image.ConfigDigest));
        Assert.That(config.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(id => id.GetString()), Is.EqualTo(image.Layers.Select(layer => layer.DiffId)));
        Assert.That(config.GetProperty("config").GetProperty("Entrypoint").EnumerateArray().Select(part => part.GetString()), Is.EqualTo(new[] { "dotnet", "/app/mlops-serve.dll" }));
        Assert.That(config.GetProperty("config").GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _), Is.True);
    }

    [Test]
    public void GivenTheArchive_WhenSkopeoAsksForItsTag_ThenRepoTagsHasIt()
    {
        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--raw", $"docker-archive:{archivePath}:churn:1.0.0").StandardOutput).RootElement;

        Assert.That(inspect.GetProperty("config").GetProperty("digest").GetString(), Is.EqualTo(image.ConfigDigest));
    }

    [Test]
    public void GivenTheArchive_WhenSkopeoCopiesItToAnOciLayoutAndUmociUnpacksThat_ThenTheFilesAreThere()
    {
        var copied = temporary.Combine("copied");
        var bundle = temporary.Combine("bundle");

        Tools.Run("skopeo", "copy", $"docker-archive:{archivePath}", $"oci:{copied}:x");
        Tools.Run("umoci", "unpack", "--rootless", "--image", $"{copied}:x", bundle);

        var rootfs = Path.Combine(bundle, "rootfs");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(rootfs, "etc", "os-release")), Does.Contain("Test base"), "the base layer");
            foreach (var (relative, content) in ImageInputs.AppFiles)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(rootfs, "app", relative)), Is.EqualTo(content), relative);
            }

            foreach (var (relative, content) in ImageInputs.ModelFiles)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(rootfs, "app", "model", relative)), Is.EqualTo(content), relative);
            }

            Assert.That((int)File.GetUnixFileMode(Path.Combine(rootfs, "app", "mlops-serve")), Is.EqualTo(0b111_101_101), "the apphost stays executable");
        });
        var runtime = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, "config.json"))).RootElement.GetProperty("process");
        Assert.That(runtime.GetProperty("args").EnumerateArray().Select(arg => arg.GetString()), Is.EqualTo(new[] { "dotnet", "/app/mlops-serve.dll" }));
        Assert.That(runtime.GetProperty("env").EnumerateArray().Select(variable => variable.GetString()), Does.Contain("MLOPS_MODEL_DIR=/app/model"));
    }
}
