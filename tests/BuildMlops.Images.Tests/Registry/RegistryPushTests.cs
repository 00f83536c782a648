using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Pushes to a real registry (Debian's docker-registry), read back by skopeo and umoci.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class RegistryPushTests : RegistryFixture
{
    private ImageResult retrained = null!;

    [OneTimeSetUp]
    public void BuildARetrainedImage() =>
        retrained = RegistryTestImages.Build(Temporary, "retrained", model: ImageInputs.Bytes(20000, seed: 99));

    [Test]
    public async Task GivenABuiltImage_WhenPushed_ThenSkopeoSeesItsDigestAndCopiesItsBlobsByteForByte()
    {
        var progress = new List<string>();
        using var client = RegistryTestClient.For(Server, progress: progress.Add);

        var result = await client.PushAsync(Image.LayoutDirectory, "churn:1.0.0", Reference("roundtrip:1.0.0"), [], null, CancellationToken.None);

        var bytes = Image.Layers.Sum(layer => layer.Size) + new FileInfo(Layout.BlobPath(Image.LayoutDirectory, Image.ConfigDigest)).Length;
        Assert.That(result, Is.EqualTo(new PushResult(Image.ManifestDigest, 4, 0, 0, bytes, result.Tags)));
        Assert.That(result.Tags, Is.EqualTo(new[] { "1.0.0" }));
        Assert.That(progress, Has.Some.Match(@"^pushing layer sha256:[0-9a-f]{12}… \d+(\.\d)? kB$"));

        Assert.That(SkopeoDigest("roundtrip:1.0.0"), Is.EqualTo(Image.ManifestDigest));
        var copy = Temporary.Combine("roundtrip-copy");
        Tools.Run("skopeo", "copy", "--src-tls-verify=false", $"docker://{Server.Address}/roundtrip:1.0.0", $"oci:{copy}:copied");
        foreach (var digest in RegistryTestImages.Blobs(Image))
        {
            Assert.That(File.ReadAllBytes(Layout.BlobPath(copy, digest)), Is.EqualTo(File.ReadAllBytes(Layout.BlobPath(Image.LayoutDirectory, digest))), digest);
        }

        var bundle = Temporary.Combine("roundtrip-bundle");
        Tools.Run("umoci", "unpack", "--rootless", "--image", $"{copy}:copied", bundle);
        Assert.That(File.ReadAllBytes(Path.Combine(bundle, "rootfs", "app", "model", "model.zip")), Is.EqualTo(ImageInputs.ModelFiles["model.zip"]));
    }

    [Test]
    public async Task GivenAPushedImage_WhenPushedAgainUnchanged_ThenNoBlobIsUploaded()
    {
        var progress = new List<string>();
        using var client = RegistryTestClient.For(Server, progress: progress.Add);
        await client.PushAsync(Image.LayoutDirectory, null, Reference("unchanged:1"), [], null, CancellationToken.None);
        progress.Clear();

        var again = await client.PushAsync(Image.LayoutDirectory, null, Reference("unchanged:1"), [], null, CancellationToken.None);

        Assert.That(again, Is.EqualTo(new PushResult(Image.ManifestDigest, 0, 4, 0, 0, again.Tags)));
        Assert.That(progress.Count(line => line.EndsWith("already present", StringComparison.Ordinal)), Is.EqualTo(4), string.Join('\n', progress));
    }

    [Test]
    public async Task GivenAPushedImage_WhenOnlyTheModelChanged_ThenOnlyTheModelLayerAndConfigAreUploaded()
    {
        using var client = RegistryTestClient.For(Server);
        await client.PushAsync(Image.LayoutDirectory, null, Reference("model-change:1"), [], null, CancellationToken.None);

        var second = await client.PushAsync(retrained.LayoutDirectory, null, Reference("model-change:2"), [], null, CancellationToken.None);

        var model = retrained.Layers.Single(layer => layer.Role == LayerRole.Model);
        var config = new FileInfo(Layout.BlobPath(retrained.LayoutDirectory, retrained.ConfigDigest)).Length;
        Assert.That(second, Is.EqualTo(new PushResult(retrained.ManifestDigest, 2, 2, 0, model.Size + config, second.Tags)));
        Assert.That(retrained.ManifestDigest, Is.Not.EqualTo(Image.ManifestDigest));
        Assert.That(SkopeoDigest("model-change:2"), Is.EqualTo(retrained.ManifestDigest));
        Assert.That(SkopeoDigest("model-change:1"), Is.EqualTo(Image.ManifestDigest), "the first tag still names the first image");
    }

    [Test]
    public async Task GivenAnImageInOneRepository_WhenPushedToAnotherWithMountFrom_ThenEveryBlobIsMountedAndNoneUploaded()
    {
        var progress = new List<string>();
        var handler = new InterceptingHandler();
        using var client = RegistryTestClient.For(Server, handler, progress: progress.Add);
        await client.PushAsync(Image.LayoutDirectory, null, Reference("mount-source:1"), [], null, CancellationToken.None);

        var mounted = await client.PushAsync(Image.LayoutDirectory, null, Reference("team/mount-target:1"), [], ["mount-source"], CancellationToken.None);

        // Same image, so even the config is in the source repository: all four blobs are mounted.
        Assert.That(mounted, Is.EqualTo(new PushResult(Image.ManifestDigest, 0, 0, 4, 0, mounted.Tags)));
        Assert.That(progress.Count(line => line.EndsWith("mounted from mount-source", StringComparison.Ordinal)), Is.EqualTo(4));
        Assert.That(handler.Count("PUT", "/team/mount-target/blobs/"), Is.Zero, "no blob bytes went to the target");
        Assert.That(SkopeoDigest("team/mount-target:1"), Is.EqualTo(Image.ManifestDigest));
    }

    [Test]
    public async Task GivenARetrainedImage_WhenPushedToAnotherRepositoryWithMountFrom_ThenSharedLayersAreMountedAndTheRestUploaded()
    {
        using var client = RegistryTestClient.For(Server);
        await client.PushAsync(Image.LayoutDirectory, null, Reference("mount-base:1"), [], null, CancellationToken.None);

        var result = await client.PushAsync(retrained.LayoutDirectory, null, Reference("mount-retrained:1"), [], ["mount-base"], CancellationToken.None);

        Assert.That((result.BlobsMounted, result.BlobsUploaded, result.BlobsSkipped), Is.EqualTo((2, 2, 0)), "base and app layers mounted; model layer and config uploaded");
        Assert.That(SkopeoDigest("mount-retrained:1"), Is.EqualTo(retrained.ManifestDigest));
    }

    [Test]
    public async Task GivenSeveralTags_WhenPushed_ThenEachResolvesToTheManifestDigest()
    {
        using var client = RegistryTestClient.For(Server);

        var result = await client.PushAsync(Image.LayoutDirectory, "churn:1.0.0", Reference("tags:1.0.0"), ["latest", "stable", "latest"], null, CancellationToken.None);

        Assert.That(result.Tags, Is.EqualTo(new[] { "1.0.0", "latest", "stable" }));
        foreach (var tag in result.Tags)
        {
            Assert.That(await client.ResolveAsync(Reference("tags:" + tag), CancellationToken.None), Is.EqualTo(Image.ManifestDigest), tag);
            Assert.That(SkopeoDigest("tags:" + tag), Is.EqualTo(Image.ManifestDigest), tag);
        }

        var tags = JsonDocument.Parse(Tools.Run("skopeo", "list-tags", "--tls-verify=false", $"docker://{Server.Address}/tags").StandardOutput).RootElement;
        Assert.That(tags.GetProperty("Tags").EnumerateArray().Select(tag => tag.GetString()), Is.EquivalentTo(new[] { "1.0.0", "latest", "stable" }));
    }

    [Test]
    public async Task GivenADestinationWithoutTag_WhenPushedWithNoTags_ThenTheManifestIsThereByDigestOnly()
    {
        using var client = RegistryTestClient.For(Server);

        var result = await client.PushAsync(Image.LayoutDirectory, null, Reference("untagged"), [], null, CancellationToken.None);

        Assert.That(result.Tags, Is.Empty);
        Assert.That(await client.ResolveAsync(Reference("untagged@" + Image.ManifestDigest), CancellationToken.None), Is.EqualTo(Image.ManifestDigest));
    }

    [Test]
    public async Task GivenARegistryThatRefusesSingleRequestUploadsAndGivesRelativeLocations_WhenPushed_ThenChunksGetTheBlobsThereAndSkopeoReadsThem()
    {
        // A blob PUT with a body is the monolithic upload; answer it 416 as a registry (or proxy) that refuses it
        // would. And give upload locations as paths, as some registries do, where this one gives absolute URLs.
        var handler = new InterceptingHandler(async (request, forward) =>
        {
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal) && request.Content?.Headers.ContentLength > 0)
            {
                return new HttpResponseMessage(HttpStatusCode.RequestedRangeNotSatisfiable) { RequestMessage = request };
            }

            var response = await forward();
            if (response.Headers.Location is { IsAbsoluteUri: true } location)
            {
                response.Headers.Location = new Uri(location.PathAndQuery, UriKind.Relative);
            }

            return response;
        });
        var progress = new List<string>();
        using var client = RegistryTestClient.For(Server, handler, progress: progress.Add, chunkSize: 4096);

        var result = await client.PushAsync(Image.LayoutDirectory, null, Reference("chunked:1"), [], null, CancellationToken.None);

        Assert.That(result.BlobsUploaded, Is.EqualTo(4));
        var chunks = Image.Layers.Sum(layer => (layer.Size + 4095) / 4096) + (new FileInfo(Layout.BlobPath(Image.LayoutDirectory, Image.ConfigDigest)).Length + 4095) / 4096;
        Assert.That(handler.Count("PATCH", "/chunked/blobs/uploads/"), Is.EqualTo(chunks));
        Assert.That(progress, Has.Some.Contains("in one request (416 RequestedRangeNotSatisfiable); sending it in chunks of 4.1 kB"));
        Assert.That(SkopeoDigest("chunked:1"), Is.EqualTo(Image.ManifestDigest));
        var copy = Temporary.Combine("chunked-copy");
        Tools.Run("skopeo", "copy", "--src-tls-verify=false", $"docker://{Server.Address}/chunked:1", $"oci:{copy}:copied");
        foreach (var digest in RegistryTestImages.Blobs(Image))
        {
            Assert.That(File.ReadAllBytes(Layout.BlobPath(copy, digest)), Is.EqualTo(File.ReadAllBytes(Layout.BlobPath(Image.LayoutDirectory, digest))), digest);
        }
    }

    [TestCase("/blobs/uploads/", TestName = "GivenAProxyThatRewritesTheBlobPutsDockerContentDigest_WhenPushed_ThenBM7005")]
    [TestCase("/manifests/", TestName = "GivenAProxyThatRewritesTheManifestPutsDockerContentDigest_WhenPushed_ThenBM7005")]
    public void DigestRewritten(string pathPart)
    {
        const string Forged = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        var handler = new InterceptingHandler(async (request, forward) =>
        {
            var response = await forward();
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains(pathPart, StringComparison.Ordinal))
            {
                response.Headers.Remove("Docker-Content-Digest");
                response.Headers.Add("Docker-Content-Digest", Forged);
            }

            return response;
        });
        using var client = RegistryTestClient.For(Server, handler);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, Reference("forged" + pathPart.Replace("/", "-").TrimEnd('-') + ":1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryDigestMismatch));
        Assert.That(error.Message, Does.Contain(Forged));
        Assert.That(error.ToCanonicalString(), Does.StartWith($"mlops : error BM7005: http://{Server.Address}/v2/forged"));
    }

    [Test]
    public void GivenAnInvalidTag_WhenPushed_ThenBM7001BeforeAnyRequest()
    {
        var handler = new InterceptingHandler();
        using var client = RegistryTestClient.For(Server, handler);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, Reference("bad-tag:1"), ["not a tag"], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BadImageSetting));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void GivenALayoutWithoutTheNamedImage_WhenPushed_ThenBM7008NamesTheImagesItHas()
    {
        using var client = RegistryTestClient.For(Server);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, "churn:9.9.9", Reference("absent:1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.ImageNotPackaged));
        Assert.That(error.Message, Does.Contain("churn:1.0.0"));
    }

    private string SkopeoDigest(string repositoryAndTag) =>
        JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--tls-verify=false", $"docker://{Server.Address}/{repositoryAndTag}").StandardOutput)
            .RootElement.GetProperty("Digest").GetString()!;
}
