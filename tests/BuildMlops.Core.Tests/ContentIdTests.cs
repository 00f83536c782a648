using BuildMlops.HashData;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class ContentIdTests
{
    private static readonly string Hex = ContentHash.OfText("x");

    [Test]
    public void GivenABareHash_WhenParsed_ThenItIsSha256_AndItsReferenceIsTheBareHashAgain()
    {
        Assert.That(ContentId.TryParse(Hex, out var id), Is.True);
        Assert.That(id, Is.EqualTo(ContentId.Sha256(Hex)));
        Assert.That(id.Reference, Is.EqualTo(Hex), "lock files written before BLAKE3 keep their bytes");
    }

    [Test]
    public void GivenABlake3Reference_WhenParsed_ThenItRoundTrips()
    {
        var hash = ContentHash.OfText("x", ContentHashAlgorithm.Blake3);

        Assert.That(ContentId.TryParse("blake3:" + hash, out var id), Is.True);
        Assert.That(id, Is.EqualTo(new ContentId(ContentHashAlgorithm.Blake3, hash)));
        Assert.That(id.Reference, Is.EqualTo("blake3:" + hash));
        Assert.That(id.Short, Is.EqualTo("blake3:" + hash[..12]));
    }

    [TestCase("sha256:{0}", Description = "SHA-256 is spelled bare, so one id has one spelling")]
    [TestCase("md5:{0}")]
    [TestCase("blake3:{0}0")]
    [TestCase("blake3:")]
    [TestCase("")]
    public void GivenAnythingElse_WhenParsed_ThenItIsRefused(string format)
    {
        Assert.That(ContentId.TryParse(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Hex), out _), Is.False);
        Assert.That(ContentId.TryParse(Hex.ToUpperInvariant(), out _), Is.False, "upper-case hex is not how hashes are written");
    }

    [Test]
    public void GivenValuesOfEveryKind_WhenAbbreviatedForAMessage_ThenAHashKeepsTwelveDigitsAfterItsAlgorithm()
    {
        var blake3 = ContentHash.OfText("x", ContentHashAlgorithm.Blake3);

        Assert.That(ContentId.Abbreviate("blake3:" + blake3), Is.EqualTo("blake3:" + blake3[..12]));
        Assert.That(ContentId.Abbreviate(Hex), Is.EqualTo(Hex[..12]));
        Assert.That(ContentId.Abbreviate("a long parameter value"), Is.EqualTo("a long param"));
        Assert.That(ContentId.Abbreviate("short"), Is.EqualTo("short"));
    }

    [Test]
    public void GivenTheSameText_WhenHashedWithEachAlgorithm_ThenTheHashesDiffer_AndEachIsItsAlgorithms()
    {
        Assert.That(ContentHash.OfText("abc"), Is.EqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "FIPS 180-2's SHA-256 example");
        Assert.That(ContentHash.OfText("abc", ContentHashAlgorithm.Blake3), Is.EqualTo("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"), "b3sum of 'abc'");
    }
}
