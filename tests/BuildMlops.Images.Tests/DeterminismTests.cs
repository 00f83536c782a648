using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests;

/// <summary>The same inputs give the same bytes, whatever the input files' metadata and wherever they are;
/// a model change changes the model layer, the config and the manifest, and nothing else.</summary>
[TestFixture]
public sealed class DeterminismTests
{
    private static readonly Func<string, string?> NoSourceDateEpoch = _ => null;

    [Test]
    public void GivenTheSameInputsWithOtherMtimesModesOwnersAndFolders_WhenBuiltTwice_ThenLayoutAndTarAreByteIdentical()
    {
        using var first = new TemporaryDirectory("image-a");
        using var second = new TemporaryDirectory("image-b");
        var a = ImageInputs.Create(first.Path, variant: 0);
        var b = ImageInputs.Create(second.Combine("elsewhere", "deeper"), variant: 1);

        var resultA = ImageBuilder.Build(a.Spec(), first.Combine("out", "layout"), first.Combine("out", "image.tar"), NoSourceDateEpoch);
        var resultB = ImageBuilder.Build(b.Spec(), second.Combine("layout"), second.Combine("image.tar"), NoSourceDateEpoch);

        Assert.That(resultB.ManifestDigest, Is.EqualTo(resultA.ManifestDigest));
        Assert.That(resultB.Layers, Is.EqualTo(resultA.Layers));
        var filesA = Layout.Files(resultA.LayoutDirectory);
        var filesB = Layout.Files(resultB.LayoutDirectory);
        Assert.That(filesB.Keys, Is.EqualTo(filesA.Keys));
        Assert.Multiple(() =>
        {
            foreach (var (path, bytes) in filesA)
            {
                Assert.That(filesB[path], Is.EqualTo(bytes), path);
            }

            Assert.That(File.ReadAllBytes(resultB.TarPath!), Is.EqualTo(File.ReadAllBytes(resultA.TarPath!)), "the layout tar");
        });
        Assert.That(filesA.Keys, Is.EquivalentTo(new[] { "oci-layout", "index.json" }
            .Concat(new[] { resultA.ManifestDigest, resultA.ConfigDigest }.Concat(resultA.Layers.Select(layer => layer.Digest))
                .Select(digest => "blobs/sha256/" + digest[7..]))));
    }

    [Test]
    public void GivenAChangedModelFile_WhenRebuilt_ThenOnlyTheModelLayerConfigAndManifestChange()
    {
        using var temporary = new TemporaryDirectory("image-model-change");
        var inputs = ImageInputs.Create(temporary.Path);
        var before = ImageBuilder.Build(inputs.Spec(), temporary.Combine("before"), null, NoSourceDateEpoch);
        File.WriteAllText(Path.Combine(inputs.Model, "metrics.json"), "{\"auc\":0.85}\n");

        var after = ImageBuilder.Build(inputs.Spec(), temporary.Combine("after"), null, NoSourceDateEpoch);

        Assert.That(after.Layers.Select(layer => layer.Role), Is.EqualTo(new[] { LayerRole.Base, LayerRole.App, LayerRole.Model }));
        Assert.That(after.Layers[0], Is.EqualTo(before.Layers[0]), "the base layer");
        Assert.That(after.Layers[1], Is.EqualTo(before.Layers[1]), "the app layer");
        Assert.That(after.Layers[2].Digest, Is.Not.EqualTo(before.Layers[2].Digest), "the model layer");
        Assert.That(after.Layers[2].DiffId, Is.Not.EqualTo(before.Layers[2].DiffId), "the model layer's diff_id");
        Assert.That(after.ConfigDigest, Is.Not.EqualTo(before.ConfigDigest));
        Assert.That(after.ManifestDigest, Is.Not.EqualTo(before.ManifestDigest));
    }

    [Test]
    public void GivenAnEarlierImageInTheOutputFolder_WhenRebuiltIntoIt_ThenTheFolderEqualsAFreshBuild()
    {
        using var temporary = new TemporaryDirectory("image-rebuild");
        var inputs = ImageInputs.Create(temporary.Path);
        ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), temporary.Combine("image.tar"), NoSourceDateEpoch);
        File.WriteAllBytes(Path.Combine(inputs.Model, "model.zip"), ImageInputs.Bytes(20000, seed: 99));
        File.WriteAllText(temporary.Combine("layout", "blobs", "sha256", ".tmp-leftover"), "a killed build's temporary file");

        var rebuilt = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), temporary.Combine("image.tar"), NoSourceDateEpoch);
        var fresh = ImageBuilder.Build(inputs.Spec(), temporary.Combine("fresh"), temporary.Combine("fresh.tar"), NoSourceDateEpoch);

        Assert.That(rebuilt.ManifestDigest, Is.EqualTo(fresh.ManifestDigest));
        Assert.That(Layout.Files(rebuilt.LayoutDirectory), Is.EqualTo(Layout.Files(fresh.LayoutDirectory)));
        Assert.That(File.ReadAllBytes(rebuilt.TarPath!), Is.EqualTo(File.ReadAllBytes(fresh.TarPath!)));
        Assert.That(Directory.EnumerateFiles(temporary.Path, ".*tmp-*", SearchOption.AllDirectories), Is.Empty, "no temporary file left");
    }

    [Test]
    public void GivenSourceDateEpoch_WhenBuilt_ThenItIsTheTimeOfEveryEntryAndOfCreated()
    {
        using var temporary = new TemporaryDirectory("image-epoch");
        var inputs = ImageInputs.Create(temporary.Path);

        var result = ImageBuilder.Build(inputs.Spec(), temporary.Combine("layout"), null, name => name == "SOURCE_DATE_EPOCH" ? "1700000000" : null);

        var config = Layout.Json(result.LayoutDirectory, result.ConfigDigest);
        Assert.That(result.Created, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
        Assert.That(config.GetProperty("created").GetString(), Is.EqualTo("2023-11-14T22:13:20Z"));
        Assert.That(Layout.LayerEntries(result.LayoutDirectory, result.Layers[^1].Digest).Select(e => e.Entry.ModificationTime),
            Has.All.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
    }

    [Test]
    public void GivenNeitherATimestampNorSourceDateEpoch_WhenBuilt_ThenItFailsRatherThanUseNow()
    {
        using var temporary = new TemporaryDirectory("image-no-time");
        var inputs = ImageInputs.Create(temporary.Path);

        var error = Assert.Throws<ArgumentException>(() =>
            ImageBuilder.Build(inputs.Spec() with { Timestamp = null }, temporary.Combine("layout"), null, NoSourceDateEpoch));

        Assert.That(error!.Message, Does.Contain("SOURCE_DATE_EPOCH"));
        Assert.That(Directory.Exists(temporary.Combine("layout")), Is.False);
    }
}
