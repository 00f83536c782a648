using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Pulls from a real registry into OCI layouts that skopeo and umoci read.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class RegistryPullTests : RegistryFixture
{
    [OneTimeSetUp]
    public async Task PushTheImage()
    {
        using var client = RegistryTestClient.For(Server);
        await client.PushAsync(Image.LayoutDirectory, null, Reference("churn:1.0.0"), [], null, CancellationToken.None);
    }

    [Test]
    public async Task GivenAPushedImage_WhenPulledIntoAFreshFolder_ThenSkopeoAndUmociReadItAndASecondPullFetchesNoBlob()
    {
        var layout = Temporary.Combine("fresh", "layout");
        using (var client = RegistryTestClient.For(Server))
        {
            var pulled = await client.PullAsync(Reference("churn:1.0.0"), layout, "base", "amd64", "linux", CancellationToken.None);

            Assert.That(
                (pulled.ManifestDigest, pulled.MediaType, pulled.Size, pulled.RefName, pulled.BlobsDownloaded, pulled.IndexDigest),
                Is.EqualTo((Image.ManifestDigest, MediaTypes.ImageManifest, Image.ManifestSize, "base", 4, (string?)null)));
        }

        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", $"oci:{layout}:base").StandardOutput).RootElement;
        Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(Image.ManifestDigest));
        var bundle = Temporary.Combine("fresh", "bundle");
        Tools.Run("umoci", "unpack", "--rootless", "--image", $"{layout}:base", bundle);
        Assert.That(File.ReadAllBytes(Path.Combine(bundle, "rootfs", "app", "model", "model.zip")), Is.EqualTo(ImageInputs.ModelFiles["model.zip"]));

        var handler = new InterceptingHandler();
        var progress = new List<string>();
        using (var client = RegistryTestClient.For(Server, handler, progress: progress.Add))
        {
            var again = await client.PullAsync(Reference("churn:1.0.0"), layout, "base", "amd64", "linux", CancellationToken.None);

            Assert.That(again.BlobsDownloaded, Is.Zero);
            Assert.That(handler.Count("GET", "/blobs/"), Is.Zero, string.Join('\n', handler.Requests));
            Assert.That(progress.Count(line => line.EndsWith("already in the layout", StringComparison.Ordinal)), Is.EqualTo(4));
        }

        Assert.That(IndexEntries(layout), Has.Count.EqualTo(1), "the entry was replaced, not added again");
    }

    [Test]
    public async Task GivenADockerV2Image_WhenPulled_ThenItKeepsTheRegistrysBytesAndMediaTypeAndAnImageBuildsOnIt()
    {
        // skopeo converts the OCI image to Docker's v2 schema 2 (media types change, so digests do too).
        Tools.Run("skopeo", "copy", "--dest-tls-verify=false", "--format", "v2s2", $"oci:{Image.LayoutDirectory}:churn:1.0.0", $"docker://{Server.Address}/docker-format:1");
        var registryDigest = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--tls-verify=false", $"docker://{Server.Address}/docker-format:1").StandardOutput).RootElement.GetProperty("Digest").GetString();
        var layout = Temporary.Combine("docker-format");
        using var client = RegistryTestClient.For(Server);

        var pulled = await client.PullAsync(Reference("docker-format:1"), layout, "base", "amd64", "linux", CancellationToken.None);

        Assert.That((pulled.ManifestDigest, pulled.MediaType), Is.EqualTo((registryDigest, "application/vnd.docker.distribution.manifest.v2+json")));
        Assert.That(ImageInputs.Digest(File.ReadAllBytes(Layout.BlobPath(layout, pulled.ManifestDigest))), Is.EqualTo(registryDigest));
        var inputs = ImageInputs.Create(Temporary.Combine("docker-format-inputs"));
        var built = ImageBuilder.Build(inputs.Spec() with { Base = new BaseImage(layout, "base") }, Temporary.Combine("on-docker-base"), null, _ => null);
        Assert.That(built.Layers.Select(layer => layer.Role), Is.EqualTo(new[] { LayerRole.Base, LayerRole.Base, LayerRole.Base, LayerRole.App, LayerRole.Model }));
        var annotations = Layout.Json(built.LayoutDirectory, built.ManifestDigest).GetProperty("annotations");
        Assert.That(annotations.GetProperty("org.opencontainers.image.base.digest").GetString(), Is.EqualTo(registryDigest));
    }

    [Test]
    public async Task GivenALayoutHoldingAnotherImage_WhenPulledIntoIt_ThenBothImagesAreThereAndUsable()
    {
        var cache = RegistryTestImages.Build(Temporary, "shared-cache", tag: "other:2.0.0", model: ImageInputs.Bytes(20000, seed: 7));
        using var client = RegistryTestClient.For(Server);

        var pulled = await client.PullAsync(Reference("churn:1.0.0"), cache.LayoutDirectory, "churn", "amd64", "linux", CancellationToken.None);

        Assert.That(pulled.BlobsDownloaded, Is.EqualTo(2), "the base and app layers were in the layout already; the model layer and config were not");
        Assert.That(IndexEntries(cache.LayoutDirectory).Select(RefName), Is.EquivalentTo(new[] { "other:2.0.0", "churn" }));
        foreach (var (name, digest) in new[] { ("other:2.0.0", cache.ManifestDigest), ("churn", Image.ManifestDigest) })
        {
            var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", $"oci:{cache.LayoutDirectory}:{name}").StandardOutput).RootElement;
            Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(digest), name);
        }
    }

    [Test]
    public async Task GivenConcurrentPullsIntoOneLayout_WhenBothFinish_ThenIndexJsonHasBothEntries()
    {
        var layout = Temporary.Combine("concurrent");
        using var client = RegistryTestClient.For(Server);
        using var other = RegistryTestClient.For(Server);

        await Task.WhenAll(
            Task.Run(() => client.PullAsync(Reference("churn:1.0.0"), layout, "first", "amd64", "linux", CancellationToken.None)),
            Task.Run(() => other.PullAsync(Reference("churn:1.0.0"), layout, "second", "amd64", "linux", CancellationToken.None)));

        Assert.That(IndexEntries(layout).Select(RefName), Is.EquivalentTo(new[] { "first", "second" }));
        Assert.That(Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")).Select(Path.GetFileName), Is.EquivalentTo(RegistryTestImages.Blobs(Image).Select(digest => digest[7..])));
    }

    [Test]
    public async Task GivenAMultiPlatformIndex_WhenPulledForEachPlatform_ThenEachGetsItsOwnManifestAndResolveGivesTheIndex()
    {
        var arm = RegistryTestImages.Build(Temporary, "arm64", architecture: "arm64");
        var index = MultiPlatformLayout(Temporary.Combine("multi", "layout"), (Image, "amd64"), (arm, "arm64"));
        using var client = RegistryTestClient.For(Server);
        var pushed = await client.PushAsync(index, null, Reference("multi:1"), [], null, CancellationToken.None);

        var amd64 = await client.PullAsync(Reference("multi:1"), Temporary.Combine("multi", "amd64"), "base", "amd64", "linux", CancellationToken.None);
        var arm64 = await client.PullAsync(Reference("multi:1"), Temporary.Combine("multi", "arm64"), "base", "arm64", "linux", CancellationToken.None);

        Assert.That(await client.ResolveAsync(Reference("multi:1"), CancellationToken.None), Is.EqualTo(pushed.ManifestDigest));
        Assert.That((amd64.ManifestDigest, amd64.IndexDigest), Is.EqualTo((Image.ManifestDigest, pushed.ManifestDigest)));
        Assert.That((arm64.ManifestDigest, arm64.IndexDigest), Is.EqualTo((arm.ManifestDigest, pushed.ManifestDigest)));
        var platform = IndexEntries(Temporary.Combine("multi", "arm64")).Single()["platform"]!;
        Assert.That(((string?)platform["architecture"], (string?)platform["os"]), Is.EqualTo(("arm64", "linux")));
        var config = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--config", $"oci:{Temporary.Combine("multi", "arm64")}:base").StandardOutput).RootElement;
        Assert.That(config.GetProperty("architecture").GetString(), Is.EqualTo("arm64"));

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PullAsync(Reference("multi:1"), Temporary.Combine("multi", "s390x"), "base", "s390x", "linux", CancellationToken.None))!;
        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BaseImageUnavailable));
        Assert.That(error.Message, Does.Contain("has no linux/s390x image (it has: linux/amd64, linux/arm64)"));
    }

    [Test]
    public void GivenASinglePlatformImage_WhenPulledForAnotherPlatform_ThenBM7002SaysWhichPlatformItIs()
    {
        using var client = RegistryTestClient.For(Server);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PullAsync(Reference("churn:1.0.0"), Temporary.Combine("wrong-platform"), "base", "arm64", "linux", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BaseImageUnavailable));
        Assert.That(error.Message, Does.Contain("is an image for linux/amd64, not linux/arm64"));
    }

    [Test]
    public void GivenARegistryThatCorruptsBlobs_WhenPulled_ThenBM7005AndNoBlobIsKept()
    {
        var handler = new InterceptingHandler(async (request, forward) =>
        {
            var response = await forward();
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal))
            {
                var bytes = await response.Content.ReadAsByteArrayAsync();
                bytes[bytes.Length / 2] ^= 0x01;
                var headers = response.Content.Headers.ToList();
                response.Content = new ByteArrayContent(bytes);
                foreach (var (name, values) in headers)
                {
                    response.Content.Headers.TryAddWithoutValidation(name, values);
                }
            }

            return response;
        });
        var layout = Temporary.Combine("corrupt");
        using var client = RegistryTestClient.For(Server, handler);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PullAsync(Reference("churn:1.0.0"), layout, "base", "amd64", "linux", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryDigestMismatch));
        Assert.That(error.Message, Does.Contain("nothing was kept"));
        Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(layout, "blobs", "sha256")), Is.Empty, "neither the bad blob nor a Temporary file is left");
        Assert.That(File.Exists(Path.Combine(layout, "index.json")), Is.False);
    }

    [Test]
    public void GivenATagThatWasNeverPushed_WhenPulledOrResolved_ThenBM7002NamesTheReference()
    {
        using var client = RegistryTestClient.For(Server);

        var pull = Assert.ThrowsAsync<MlopsException>(() => client.PullAsync(Reference("churn:9.9.9"), Temporary.Combine("missing"), "base", "amd64", "linux", CancellationToken.None))!;
        var resolve = Assert.ThrowsAsync<MlopsException>(() => client.ResolveAsync(Reference("nothing-here:1"), CancellationToken.None))!;

        Assert.That((pull.Code, resolve.Code), Is.EqualTo((ErrorCodes.BaseImageUnavailable, ErrorCodes.BaseImageUnavailable)));
        Assert.That(pull.Message, Does.Contain($"{Server.Address}/churn:9.9.9 is not in the registry"));
        Assert.That(pull.ToCanonicalString(), Does.StartWith($"mlops : error BM7002: http://{Server.Address}/v2/churn/manifests/9.9.9: "));
    }

    /// <summary>A layout whose one entry is an index over the given images' manifests, with their blobs copied in.</summary>
    private static string MultiPlatformLayout(string layout, params (ImageResult Image, string Architecture)[] platforms)
    {
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var manifests = new JsonArray();
        foreach (var (platformImage, architecture) in platforms)
        {
            foreach (var digest in RegistryTestImages.Blobs(platformImage))
            {
                File.Copy(Layout.BlobPath(platformImage.LayoutDirectory, digest), Layout.BlobPath(layout, digest), overwrite: true);
            }

            manifests.Add(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageManifest,
                ["digest"] = platformImage.ManifestDigest,
                ["size"] = platformImage.ManifestSize,
                ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" },
            });
        }

        var index = Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.ImageIndex, ["manifests"] = manifests }.ToJsonString());
        File.WriteAllBytes(Layout.BlobPath(layout, ImageInputs.Digest(index)), index);
        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(layout, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageIndex,
                ["digest"] = ImageInputs.Digest(index),
                ["size"] = index.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "multi" },
            }),
        }.ToJsonString());
        return layout;
    }

    private static List<JsonObject> IndexEntries(string layout) =>
        JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray().Select(entry => entry!.AsObject()).ToList();

    private static string? RefName(JsonObject entry) => (string?)entry["annotations"]?["org.opencontainers.image.ref.name"];
}
