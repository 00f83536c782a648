using System.Runtime.Versioning;
using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests;

/// <summary>Other tools read the images: Debian's umoci unpacks the layout, skopeo inspects it and its tar.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class ToolTests
{
    private TemporaryDirectory temporary = null!;
    private ImageResult result = null!;

    [OneTimeSetUp]
    public void BuildImage()
    {
        temporary = new TemporaryDirectory("image-tools");
        var inputs = ImageInputs.Create(temporary.Path, variant: 3);
        result = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), temporary.Combine("image.tar"), _ => null);
    }

    [OneTimeTearDown]
    public void Delete() => temporary.Dispose();

    [Test]
    public void GivenTheLayout_WhenUmociUnpacksIt_ThenTheFilesAreThereWithTheirContentModesOwnerAndTime()
    {
        var bundle = temporary.Combine("bundle");
        Tools.Run("umoci", "unpack", "--rootless", "--image", result.LayoutDirectory + ":churn:1.0.0", bundle);

        var rootfs = Path.Combine(bundle, "rootfs");
        var runtime = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, "config.json"))).RootElement.GetProperty("process");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(rootfs, "etc", "os-release")), Does.Contain("Test base"), "the base layer");
            foreach (var (relative, content) in ImageInputs.AppFiles)
            {
                var path = Path.Combine(rootfs, "app", relative);
                Assert.That(File.ReadAllBytes(path), Is.EqualTo(content), relative);
                Assert.That((int)File.GetUnixFileMode(path), Is.EqualTo(relative == "mlops-serve" ? 0b111_101_101 : 0b110_100_100), relative);
                Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(ImageInputs.CommitTime.UtcDateTime), relative);
            }

            foreach (var (relative, content) in ImageInputs.ModelFiles)
            {
                var path = Path.Combine(rootfs, "app", "model", relative);
                Assert.That(File.ReadAllBytes(path), Is.EqualTo(content), relative);
                Assert.That((int)File.GetUnixFileMode(path), Is.EqualTo(0b110_100_100), relative);
            }

            Assert.That((int)File.GetUnixFileMode(Path.Combine(rootfs, "app", "model")), Is.EqualTo(0b111_101_101));
            Assert.That(runtime.GetProperty("user").GetProperty("uid").GetInt32(), Is.EqualTo(1654));
            Assert.That(runtime.GetProperty("args").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "dotnet", "/app/mlops-serve.dll" }));
            Assert.That(runtime.GetProperty("cwd").GetString(), Is.EqualTo("/app"));
            Assert.That(runtime.GetProperty("env").EnumerateArray().Select(a => a.GetString()), Does.Contain("MLOPS_MODEL_DIR=/app/model"));
        });

        // A rootless unpack owns every file itself; the owners the layers carry are in umoci's mtree
        // manifest, as a "/set" default (uid=0 gid=0) that no entry overrides. (Run as root, this cannot
        // tell the layers' owner from the unpacker's; ContentTests reads the tar headers themselves.)
        var mtree = File.ReadAllText(Directory.EnumerateFiles(bundle, "*.mtree").Single());
        Assert.That(mtree, Does.Contain("mlops-serve.dll"));
        Assert.That(mtree, Does.Match(@"(?m)^/set .*\buid=0 gid=0"));
        Assert.That(mtree, Does.Not.Match(@"\buid=[1-9]"), "every entry is uid 0");
        Assert.That(mtree, Does.Not.Match(@"\bgid=[1-9]"), "every entry is gid 0");
    }

    [Test]
    public void GivenTheLayout_WhenSkopeoInspectsIt_ThenItShowsTheDigestLabelsUserAndEntrypoint()
    {
        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", $"oci:{result.LayoutDirectory}:churn:1.0.0").StandardOutput).RootElement;
        var config = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--config", $"oci:{result.LayoutDirectory}:churn:1.0.0").StandardOutput).RootElement;

        Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(result.ManifestDigest));
        Assert.That(inspect.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()), Is.EqualTo(result.Layers.Select(l => l.Digest)));
        Assert.That(inspect.GetProperty("Labels").GetProperty("buildmlops.metric.auc").GetString(), Is.EqualTo("0.8412"));
        Assert.That(inspect.GetProperty("Labels").GetProperty("buildmlops.model.sha256").GetString(), Has.Length.EqualTo(64));
        Assert.That(inspect.GetProperty("Created").GetString(), Is.EqualTo("2024-05-17T07:30:12Z"));
        Assert.That(config.GetProperty("config").GetProperty("User").GetString(), Is.EqualTo("1654"));
        Assert.That(config.GetProperty("config").GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "dotnet", "/app/mlops-serve.dll" }));
    }

    [Test]
    public void GivenTheTar_WhenSkopeoInspectsItAsAnOciArchive_ThenItIsTheSameImage()
    {
        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", $"oci-archive:{result.TarPath}:churn:1.0.0").StandardOutput).RootElement;

        Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(result.ManifestDigest));
        Assert.That(inspect.GetProperty("Labels").GetProperty("org.opencontainers.image.version").GetString(), Is.EqualTo("1.0.0"));
    }
}
