using System.Formats.Tar;
using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests;

/// <summary>What is in the layers, the config and the manifest.</summary>
[TestFixture]
public sealed class ContentTests
{
    private TemporaryDirectory temporary = null!;
    private ImageResult result = null!;

    [OneTimeSetUp]
    public void BuildImage()
    {
        temporary = new TemporaryDirectory("image-content");
        var inputs = ImageInputs.Create(temporary.Path, variant: 2);
        result = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), null, _ => null);
    }

    [OneTimeTearDown]
    public void Delete() => temporary.Dispose();

    [Test]
    public void GivenTheAppLayer_WhenRead_ThenEntriesAreSortedWithParentsRootOwnedNormalizedAndAtTheCommitTime()
    {
        var entries = Layout.LayerEntries(result.LayoutDirectory, result.Layers[1].Digest);
        var names = entries.Select(e => e.Entry.Name).ToList();

        Assert.That(names.Select(name => name.TrimEnd('/')), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(names, Does.Contain("app/").And.Contain("app/runtimes/").And.Contain("app/runtimes/linux-musl-x64/native/"));
        Assert.That(names, Does.Contain("app/" + ImageInputs.LongRelativePath));
        Assert.That(names, Has.None.StartsWith("app/model"));
        Assert.Multiple(() =>
        {
            foreach (var (entry, data) in entries)
            {
                Assert.That(entry.Format, Is.EqualTo(TarEntryFormat.Ustar), entry.Name);
                Assert.That((entry.Uid, entry.Gid), Is.EqualTo((0, 0)), entry.Name);
                Assert.That(((PosixTarEntry)entry).UserName, Is.Empty, entry.Name);
                Assert.That(((PosixTarEntry)entry).GroupName, Is.Empty, entry.Name);
                Assert.That(entry.ModificationTime, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(ImageInputs.CommitTime.ToUnixTimeSeconds())), entry.Name);
                var executable = entry.EntryType == TarEntryType.Directory || entry.Name == "app/mlops-serve";
                Assert.That((int)entry.Mode, Is.EqualTo(executable ? 0b111_101_101 : 0b110_100_100), entry.Name);
                if (entry.EntryType == TarEntryType.RegularFile)
                {
                    Assert.That(data, Is.EqualTo(ImageInputs.AppFiles[entry.Name["app/".Length..]]), entry.Name);
                }
            }
        });
    }

    [Test]
    public void GivenANameTooLongForUstar_WhenBuilt_ThenItsPaxHeaderHoldsOnlyThePathAndTheFixedMtime()
    {
        using var other = new TemporaryDirectory("image-long-name");
        var inputs = ImageInputs.Create(other.Path);
        var longPath = "/app/" + string.Join('/', Enumerable.Repeat(new string('d', 60), 5)) + "/f.txt";
        var spec = inputs.Spec() with { AppFiles = [LayerEntry.FromBytes(longPath, [1, 2, 3])] };

        var first = ImageBuilder.Build(spec, other.Combine("a"), null, _ => null);
        var second = ImageBuilder.Build(spec, other.Combine("b"), null, _ => null);

        var entry = Layout.LayerEntries(first.LayoutDirectory, first.Layers[1].Digest).Single(e => e.Entry.EntryType == TarEntryType.RegularFile).Entry;
        Assert.That(second.Layers[1].Digest, Is.EqualTo(first.Layers[1].Digest));
        Assert.That(entry.Name, Is.EqualTo(longPath[1..]));
        var attributes = ((PaxTarEntry)entry).ExtendedAttributes;
        Assert.That(attributes.Keys, Is.SubsetOf(new[] { "path", "mtime" }), string.Join(", ", attributes));
        Assert.That(entry.ModificationTime, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(ImageInputs.CommitTime.ToUnixTimeSeconds())));
    }

    [Test]
    public void GivenALayerBlob_WhenItsGzipHeaderIsRead_ThenMtimeIsZeroAndOsIsUnknown()
    {
        var header = File.ReadAllBytes(Layout.BlobPath(result.LayoutDirectory, result.Layers[2].Digest))[..10];

        Assert.That(header[..4], Is.EqualTo(new byte[] { 0x1f, 0x8b, 8, 0 }));
        Assert.That(header[4..8], Is.EqualTo(new byte[4]));
        Assert.That(header[9], Is.EqualTo(255));
    }

    [Test]
    public void GivenTheConfig_WhenRead_ThenItMergesTheBaseAndSetsTheServingSettings()
    {
        var config = Layout.Json(result.LayoutDirectory, result.ConfigDigest);
        var inner = config.GetProperty("config");
        var env = inner.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();

        Assert.That(config.GetProperty("architecture").GetString(), Is.EqualTo("amd64"));
        Assert.That(config.GetProperty("os").GetString(), Is.EqualTo("linux"));
        Assert.That(config.GetProperty("created").GetString(), Is.EqualTo("2024-05-17T07:30:12Z"));
        Assert.That(env, Is.EqualTo(new[]
        {
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080",
            "DOTNET_VERSION=10.0.0", "MLOPS_MODEL_DIR=/app/model",
        }));
        Assert.That(inner.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "dotnet", "/app/mlops-serve.dll" }));
        Assert.That(inner.TryGetProperty("Cmd", out _), Is.False, "the base's Cmd would be arguments to mlops-serve");
        Assert.That(inner.GetProperty("User").GetString(), Is.EqualTo("1654"));
        Assert.That(inner.GetProperty("WorkingDir").GetString(), Is.EqualTo("/app"));
        Assert.That(inner.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "8080/tcp" }));
        var labels = inner.GetProperty("Labels");
        Assert.That(labels.GetProperty("base.label").GetString(), Is.EqualTo("kept"));
        Assert.That(labels.GetProperty("buildmlops.model.sha256").GetString(), Is.EqualTo(ImageInputs.Digest(ImageInputs.ModelFiles["model.zip"])[7..]));
        Assert.That(labels.GetProperty("buildmlops.metric.auc").GetString(), Is.EqualTo("0.8412"));
        Assert.That(labels.GetProperty("org.opencontainers.image.revision").GetString(), Is.EqualTo("0123456789abcdef0123456789abcdef01234567"));
        Assert.That(config.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(result.Layers.Select(l => l.DiffId)));
        Assert.That(config.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created").GetString()),
            Is.EqualTo(new[] { "2020-09-13T12:26:40Z", "2024-05-17T07:30:12Z", "2024-05-17T07:30:12Z" }));
    }

    [Test]
    public void GivenTheManifestAndIndex_WhenRead_ThenTheyCarryTheAnnotationsAndTheTag()
    {
        var manifest = Layout.Json(result.LayoutDirectory, result.ManifestDigest);
        var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.LayoutDirectory, "index.json"))).RootElement;
        var annotations = manifest.GetProperty("annotations");

        Assert.That(manifest.GetProperty("mediaType").GetString(), Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
        Assert.That(manifest.GetProperty("config").GetProperty("mediaType").GetString(), Is.EqualTo("application/vnd.oci.image.config.v1+json"));
        Assert.That(manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()), Is.EqualTo(result.Layers.Select(l => l.Digest)));
        Assert.That(annotations.GetProperty("org.opencontainers.image.source").GetString(), Is.EqualTo("https://example.org/churn.git"));
        Assert.That(annotations.GetProperty("org.opencontainers.image.version").GetString(), Is.EqualTo("1.0.0"));
        Assert.That(annotations.GetProperty("org.opencontainers.image.created").GetString(), Is.EqualTo("2024-05-17T07:30:12Z"));
        Assert.That(annotations.GetProperty("org.opencontainers.image.base.name").GetString(), Is.EqualTo("mcr.microsoft.com/dotnet/aspnet:10.0"));
        var entry = index.GetProperty("manifests").EnumerateArray().Single();
        Assert.That(entry.GetProperty("digest").GetString(), Is.EqualTo(result.ManifestDigest));
        Assert.That(entry.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString(), Is.EqualTo("churn:1.0.0"));
    }

    [Test]
    public void GivenNoBaseImage_WhenBuilt_ThenTwoLayersAmd64LinuxAndTheDefaultPort()
    {
        using var other = new TemporaryDirectory("image-no-base");
        var inputs = ImageInputs.Create(other.Path);

        var image = ImageBuilder.Build(inputs.Spec() with { Base = null }, other.Combine("layout"), null, _ => null);

        var config = Layout.Json(image.LayoutDirectory, image.ConfigDigest);
        Assert.That(image.Layers.Select(l => l.Role), Is.EqualTo(new[] { LayerRole.App, LayerRole.Model }));
        Assert.That(config.GetProperty("architecture").GetString(), Is.EqualTo("amd64"));
        Assert.That(config.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "ASPNETCORE_HTTP_PORTS=8080", "MLOPS_MODEL_DIR=/app/model" }));
    }

    [Test]
    public void GivenAModelImageAsTheBase_WhenAnotherIsBuiltOnIt_ThenItsLayersComeFirstUnchanged()
    {
        using var other = new TemporaryDirectory("image-chained");
        var inputs = ImageInputs.Create(other.Path);

        var image = ImageBuilder.Build(inputs.Spec("next") with { Base = new BaseImage(result.LayoutDirectory) }, other.Combine("layout"), null, _ => null);

        Assert.That(image.Layers.Take(3).Select(l => (l.Digest, l.DiffId)), Is.EqualTo(result.Layers.Select(l => (l.Digest, l.DiffId))));
        Assert.That(image.Layers.Take(3).Select(l => l.Role), Has.All.EqualTo(LayerRole.Base));
    }

    [Test]
    public void GivenAModelLayerWithoutModelZip_WhenBuilt_ThenItFails()
    {
        using var other = new TemporaryDirectory("image-no-model");
        var inputs = ImageInputs.Create(other.Path);
        File.Delete(Path.Combine(inputs.Model, "model.zip"));

        Assert.That(() => ImageBuilder.Build(inputs.Spec(), other.Combine("layout"), null, _ => null),
            Throws.ArgumentException.With.Message.Contains("/app/model/model.zip"));
    }
}
