using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>References read as Docker reads them.</summary>
[TestFixture]
public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [TestCase("ubuntu", "docker.io", "library/ubuntu", null, null)]
    [TestCase("ubuntu:24.04", "docker.io", "library/ubuntu", "24.04", null)]
    [TestCase("acme/churn:1.0.0", "docker.io", "acme/churn", "1.0.0", null)]
    [TestCase("docker.io/ubuntu", "docker.io", "library/ubuntu", null, null)]
    [TestCase("index.docker.io/acme/churn", "docker.io", "acme/churn", null, null)]
    [TestCase("ghcr.io/acme/models/churn:v2", "ghcr.io", "acme/models/churn", "v2", null)]
    [TestCase("localhost/churn", "localhost", "churn", null, null)]
    [TestCase("localhost:5000/churn:1", "localhost:5000", "churn", "1", null)]
    [TestCase("127.0.0.1:5000/team/churn", "127.0.0.1:5000", "team/churn", null, null)]
    [TestCase("registry:5000/churn", "registry:5000", "churn", null, null)]
    [TestCase("mcr.microsoft.com/dotnet/aspnet:10.0", "mcr.microsoft.com", "dotnet/aspnet", "10.0", null)]
    [TestCase("ubuntu@sha256:" + Hex, "docker.io", "library/ubuntu", null, "sha256:" + Hex)]
    [TestCase("localhost:5000/churn:1.0@sha256:" + Hex, "localhost:5000", "churn", "1.0", "sha256:" + Hex)]
    [TestCase("a.b/c__d/e-f.g_h:T_a.g-1", "a.b", "c__d/e-f.g_h", "T_a.g-1", null)]
    public void GivenAValidReference_WhenParsed_ThenItHasDockersRegistryRepositoryTagAndDigest(string text, string registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(text);

        Assert.That(reference, Is.EqualTo(new ImageReference(registry, repository, tag, digest)));
        Assert.That(ImageReference.TryParse(text, out var again), Is.True);
        Assert.That(again, Is.EqualTo(reference));
        Assert.That(ImageReference.Parse(reference.ToString()), Is.EqualTo(reference), "the canonical form reads back as itself");
    }

    [TestCase("ubuntu", "docker.io/library/ubuntu")]
    [TestCase("acme/churn:1.0.0", "docker.io/acme/churn:1.0.0")]
    [TestCase("localhost:5000/churn:1@sha256:" + Hex, "localhost:5000/churn:1@sha256:" + Hex)]
    public void GivenAReference_WhenPrinted_ThenItIsCanonicalWithDockerIoSpelledOut(string text, string canonical)
    {
        Assert.That(ImageReference.Parse(text).ToString(), Is.EqualTo(canonical));
    }

    [TestCase("", TestName = "GivenAnEmptyReference_WhenParsed_ThenBM7001")]
    [TestCase("Ubuntu", TestName = "GivenUpperCaseInTheRepository_WhenParsed_ThenBM7001")]
    [TestCase("ghcr.io/Acme/churn", TestName = "GivenUpperCaseAfterARegistry_WhenParsed_ThenBM7001")]
    [TestCase("churn:", TestName = "GivenAnEmptyTag_WhenParsed_ThenBM7001")]
    [TestCase("churn:-1", TestName = "GivenATagStartingWithADash_WhenParsed_ThenBM7001")]
    [TestCase("churn@sha256:abc", TestName = "GivenAShortDigest_WhenParsed_ThenBM7001")]
    [TestCase("churn@md5:0123456789abcdef0123456789abcdef", TestName = "GivenANonSha256Digest_WhenParsed_ThenBM7001")]
    [TestCase("ghcr.io/", TestName = "GivenARegistryWithoutRepository_WhenParsed_ThenBM7001")]
    [TestCase("acme//churn", TestName = "GivenAnEmptyPathComponent_WhenParsed_ThenBM7001")]
    [TestCase("acme/churn-/x", TestName = "GivenAComponentEndingInASeparator_WhenParsed_ThenBM7001")]
    [TestCase("my image", TestName = "GivenWhiteSpace_WhenParsed_ThenBM7001")]
    [TestCase("https://ghcr.io/acme/churn", TestName = "GivenAUrl_WhenParsed_ThenBM7001")]
    public void InvalidReference(string text)
    {
        var error = Assert.Throws<MlopsException>(() => ImageReference.Parse(text))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BadImageSetting));
        Assert.That(error.Message, Does.Contain("is not an image reference"));
        Assert.That(error.Help, Does.Contain("[registry[:port]/]repository[:tag][@sha256:<64 hex digits>]"), "it says what a reference looks like");
        Assert.That(ImageReference.TryParse(text, out var reference), Is.False);
        Assert.That(reference, Is.Null);
    }

    [Test]
    public void GivenAReference_WhenGivenAnotherTagOrADigest_ThenOnlyThatPartChanges()
    {
        var reference = ImageReference.Parse("ghcr.io/acme/churn:1.0.0");

        Assert.That(reference.WithTag("latest").ToString(), Is.EqualTo("ghcr.io/acme/churn:latest"));
        Assert.That(reference.WithDigest("sha256:" + Hex).ToString(), Is.EqualTo("ghcr.io/acme/churn:1.0.0@sha256:" + Hex));
        Assert.That(Assert.Throws<MlopsException>(() => reference.WithTag("no tag"))!.Code, Is.EqualTo(ErrorCodes.BadImageSetting));
        Assert.That(Assert.Throws<MlopsException>(() => reference.WithDigest("sha256:1234"))!.Code, Is.EqualTo(ErrorCodes.BadImageSetting));
    }
}
