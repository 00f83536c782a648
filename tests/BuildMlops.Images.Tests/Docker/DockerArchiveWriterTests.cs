using System.Formats.Tar;
using System.Text;
using BuildMlops.Images.Docker;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Docker;

/// <summary>
/// The OCI layout tar becomes a docker-archive holding the same config and layer blobs, a manifest.json that
/// names them with the tag, deterministic down to the byte, and a damaged or foreign input is refused.
/// </summary>
[TestFixture]
public sealed class DockerArchiveWriterTests
{
    private TemporaryDirectory temporary = null!;
    private ImageResult image = null!;
    private string archivePath = null!;
    private DockerArchive archive = null!;

    [OneTimeSetUp]
    public void BuildAndConvert()
    {
        temporary = new TemporaryDirectory("docker-archive");
        var inputs = ImageInputs.Create(temporary.Combine("inputs"), variant: 2);
        image = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), temporary.Combine("image.tar"), _ => null);
        archivePath = temporary.Combine("docker-archive.tar");
        archive = DockerArchives.Convert(image.TarPath!, archivePath);
    }

    [OneTimeTearDown]
    public void Delete() => temporary.Dispose();

    [Test]
    public void GivenAnImageTar_WhenConverted_ThenTheArchiveHoldsConfigLayersManifestAndRepositoriesInNameOrder()
    {
        var names = DockerArchives.Entries(archivePath).Select(item => item.Entry.Name).ToList();

        var blobs = image.Layers.Select(layer => layer.Digest).Append(image.ConfigDigest)
            .Select(digest => "blobs/sha256/" + digest[7..]).Order(StringComparer.Ordinal);
        Assert.That(names, Is.EqualTo(new[] { "blobs/", "blobs/sha256/" }.Concat(blobs).Concat(["manifest.json", "repositories"])));
        Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public void GivenAnImageTar_WhenConverted_ThenManifestJsonNamesTheConfigTheTagAndTheLayersBaseFirst()
    {
        var entries = DockerArchives.Entries(archivePath);
        var manifest = Encoding.UTF8.GetString(entries.Single(item => item.Entry.Name == "manifest.json").Data);
        var repositories = Encoding.UTF8.GetString(entries.Single(item => item.Entry.Name == "repositories").Data);

        var layers = string.Join(",", image.Layers.Select(layer => $"\"blobs/sha256/{layer.Digest[7..]}\""));
        Assert.That(manifest, Is.EqualTo($"[{{\"Config\":\"blobs/sha256/{image.ConfigDigest[7..]}\",\"RepoTags\":[\"churn:1.0.0\"],\"Layers\":[{layers}]}}]"));
        Assert.That(repositories, Is.EqualTo($"{{\"churn\":{{\"1.0.0\":\"{image.Layers[^1].Digest[7..]}\"}}}}"));
    }

    [Test]
    public void GivenAnImageTar_WhenConverted_ThenConfigAndLayersAreTheLayoutsBlobsByteForByte()
    {
        var entries = DockerArchives.Entries(archivePath);

        Assert.Multiple(() =>
        {
            foreach (var digest in image.Layers.Select(layer => layer.Digest).Append(image.ConfigDigest))
            {
                var data = entries.Single(item => item.Entry.Name == "blobs/sha256/" + digest[7..]).Data;
                Assert.That(data, Is.EqualTo(File.ReadAllBytes(Layout.BlobPath(image.LayoutDirectory, digest))), digest);
            }

            Assert.That(entries.Single(item => item.Entry.Name.EndsWith(image.Layers[^1].Digest[7..], StringComparison.Ordinal)).Data[..2],
                Is.EqualTo(new byte[] { 0x1f, 0x8b }), "layers stay gzip compressed");
        });
    }

    [Test]
    public void GivenAnImageTar_WhenConverted_ThenEveryEntryHasTheImageTimeRootOwnerAndFixedModes()
    {
        Assert.Multiple(() =>
        {
            foreach (var (entry, _) in DockerArchives.Entries(archivePath))
            {
                var directory = entry.EntryType == TarEntryType.Directory;
                Assert.That(entry.Format, Is.EqualTo(TarEntryFormat.Ustar), entry.Name);
                Assert.That(entry.ModificationTime, Is.EqualTo(ImageInputs.CommitTime), entry.Name);
                Assert.That((entry.Uid, entry.Gid), Is.EqualTo((0, 0)), entry.Name);
                Assert.That(((UstarTarEntry)entry).UserName + ((UstarTarEntry)entry).GroupName, Is.Empty, entry.Name);
                Assert.That((int)entry.Mode, Is.EqualTo(directory ? 0b111_101_101 : 0b110_100_100), entry.Name);
                Assert.That(entry.EntryType, Is.EqualTo(entry.Name.EndsWith('/') ? TarEntryType.Directory : TarEntryType.RegularFile), entry.Name);
            }
        });
    }

    [Test]
    public void GivenAnImageTar_WhenConverted_ThenTheResultDescribesTheArchive()
    {
        Assert.That(archive.ConfigDigest, Is.EqualTo(image.ConfigDigest));
        Assert.That(archive.RepoTag, Is.EqualTo("churn:1.0.0"));
        Assert.That(archive.LayerDigests, Is.EqualTo(image.Layers.Select(layer => layer.Digest)));
        Assert.That(archive.Created, Is.EqualTo(ImageInputs.CommitTime));
    }

    [Test]
    public void GivenTheSameImageTar_WhenConvertedTwice_ThenTheArchivesAreByteIdentical()
    {
        var again = temporary.Combine("again.tar");

        DockerArchives.Convert(image.TarPath!, again);

        Assert.That(File.ReadAllBytes(again), Is.EqualTo(File.ReadAllBytes(archivePath)));
    }

    [Test]
    public void GivenTheSameImageBuiltElsewhereFromFilesWithOtherMetadata_WhenConverted_ThenTheArchivesAreByteIdentical()
    {
        using var elsewhere = new TemporaryDirectory("docker-archive-elsewhere");
        var inputs = ImageInputs.Create(elsewhere.Combine("other", "inputs"), variant: 5);
        var rebuilt = ImageBuilder.Build(inputs.Spec(), elsewhere.Combine("layout"), elsewhere.Combine("image.tar"), _ => null);

        DockerArchives.Convert(rebuilt.TarPath!, elsewhere.Combine("docker-archive.tar"));

        Assert.That(File.ReadAllBytes(elsewhere.Combine("docker-archive.tar")), Is.EqualTo(File.ReadAllBytes(archivePath)));
    }

    [Test]
    public void GivenAnotherTag_WhenConverted_ThenOnlyManifestJsonAndRepositoriesDiffer()
    {
        var other = temporary.Combine("other-tag.tar");

        DockerArchives.Convert(image.TarPath!, other, "registry.example.org:5000/team/churn:2.0.0-rc.1");

        var before = DockerArchives.Entries(archivePath).ToDictionary(item => item.Entry.Name, item => item.Data);
        var after = DockerArchives.Entries(other).ToDictionary(item => item.Entry.Name, item => item.Data);
        Assert.That(after.Keys, Is.EqualTo(before.Keys));
        Assert.That(after.Where(pair => !pair.Value.SequenceEqual(before[pair.Key])).Select(pair => pair.Key), Is.EquivalentTo(new[] { "manifest.json", "repositories" }));
        Assert.That(Encoding.UTF8.GetString(after["manifest.json"]), Does.Contain("\"RepoTags\":[\"registry.example.org:5000/team/churn:2.0.0-rc.1\"]"));
        Assert.That(Encoding.UTF8.GetString(after["repositories"]), Does.StartWith("{\"registry.example.org:5000/team/churn\":{\"2.0.0-rc.1\":"));
    }

    [Test]
    public void GivenTheLayoutTarredByGnuTarWithDotSlashNames_WhenConverted_ThenItIsTheSameArchive()
    {
        var gnuTar = temporary.Combine("gnu-layout.tar");
        ProcessRunner.Run("tar", ["-C", image.LayoutDirectory, "-cf", gnuTar, "."], temporary.Path).ThrowIfFailed();
        var converted = temporary.Combine("from-gnu-tar.tar");

        DockerArchives.Convert(gnuTar, converted);

        Assert.That(File.ReadAllBytes(converted), Is.EqualTo(File.ReadAllBytes(archivePath)));
    }

    [Test]
    public void GivenALayerDamagedInTheImageTar_WhenConverted_ThenInvalidDataExceptionNamesTheBlob()
    {
        var modelLayer = image.Layers.Single(layer => layer.Role == LayerRole.Model).Digest;
        var damaged = temporary.Combine("damaged.tar");
        RewriteTar(image.TarPath!, damaged, name => name == "blobs/sha256/" + modelLayer[7..], data => data[^20] ^= 0xff);

        using var output = new FileStream(temporary.Combine("from-damaged.tar"), FileMode.Create, FileAccess.ReadWrite);
        var error = Assert.Throws<InvalidDataException>(() => DockerArchiveWriter.Write(damaged, "churn:1.0.0", output))!;

        Assert.That(error.Message, Does.Contain(modelLayer[7..]).And.Contain(damaged).And.Contain("damaged"));
    }

    [Test]
    public void GivenAnImageTarWithoutTheConfigBlob_WhenConverted_ThenInvalidDataExceptionSaysWhichBlobIsMissing()
    {
        var incomplete = temporary.Combine("incomplete.tar");
        RewriteTar(image.TarPath!, incomplete, name => name == "blobs/sha256/" + image.ConfigDigest[7..], data => { }, drop: true);

        using var output = new MemoryStream();
        var error = Assert.Throws<InvalidDataException>(() => DockerArchiveWriter.Write(incomplete, "churn:1.0.0", output))!;

        Assert.That(error.Message, Does.Contain("has no blob " + image.ConfigDigest));
    }

    [Test]
    public void GivenAFileThatIsNoTar_WhenConverted_ThenInvalidDataExceptionSaysSo()
    {
        var notTar = temporary.Combine("not-a-tar.tar");
        File.WriteAllBytes(notTar, ImageInputs.Bytes(3000, seed: 7));

        using var output = new MemoryStream();
        var error = Assert.Throws<InvalidDataException>(() => DockerArchiveWriter.Write(notTar, "churn:1.0.0", output))!;

        Assert.That(error.Message, Does.Contain(notTar));
    }

    [Test]
    public void GivenATarThatIsNoOciLayout_WhenConverted_ThenInvalidDataExceptionSaysWhatIsMissing()
    {
        // A docker-archive is a tar too, but not an OCI layout.
        using var output = new MemoryStream();
        var error = Assert.Throws<InvalidDataException>(() => DockerArchiveWriter.Write(archivePath, "churn:1.0.0", output))!;

        Assert.That(error.Message, Does.Contain("not an OCI image layout tar").And.Contain("index.json"));
    }

    [TestCase("churn")]
    [TestCase("churn:")]
    [TestCase("Churn:1.0.0")]
    [TestCase("team/Churn:1.0.0")]
    [TestCase("churn:1.0.0 ")]
    [TestCase("churn:-1")]
    [TestCase("churn@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [TestCase("churn:1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void GivenATagThatIsNotNameColonTag_WhenConverting_ThenArgumentExceptionShowsTheForm(string tag)
    {
        using var output = new MemoryStream();
        var error = Assert.Throws<ArgumentException>(() => DockerArchiveWriter.Write(image.TarPath!, tag, output))!;

        Assert.That(error.Message, Does.Contain("name:tag"));
        Assert.That(error.ParamName, Is.EqualTo("repoTag"));
    }

    [TestCase("churn:latest")]
    [TestCase("localhost/churn:v1")]
    [TestCase("localhost:5000/churn:v1")]
    [TestCase("Registry.Example.org/team/churn-model_2:1.0.0_RC")]
    [TestCase("ghcr.io/my-org/models/churn:2024.05.17")]
    public void GivenAValidTag_WhenConverting_ThenManifestJsonCarriesItUnchanged(string tag)
    {
        var path = temporary.Combine($"tag-{Guid.NewGuid():N}.tar");

        DockerArchives.Convert(image.TarPath!, path, tag);

        var manifest = Encoding.UTF8.GetString(DockerArchives.Entries(path).Single(item => item.Entry.Name == "manifest.json").Data);
        Assert.That(manifest, Does.Contain($"\"RepoTags\":[\"{tag}\"]"));
    }

    [Test]
    public void GivenAnOutputThatCannotSeek_WhenConverting_ThenArgumentException()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);

        Assert.Throws<ArgumentException>(() => DockerArchiveWriter.Write(image.TarPath!, "churn:1.0.0", pipe));
    }

    /// <summary>Copies a tar, changing or dropping the entries <paramref name="select"/> picks.</summary>
    private static void RewriteTar(string source, string target, Func<string, bool> select, Action<byte[]> change, bool drop = false)
    {
        using var output = File.Create(target);
        using var writer = new TarWriter(output, TarEntryFormat.Ustar);
        foreach (var (entry, data) in DockerArchives.Entries(source))
        {
            if (select(entry.Name))
            {
                if (drop)
                {
                    continue;
                }

                change(data);
            }

            if (entry.EntryType == TarEntryType.RegularFile)
            {
                entry.DataStream = new MemoryStream(data);
            }

            writer.WriteEntry(entry);
        }
    }
}
