using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

public class ReleaseNotesMarkdownTests
{
    [Test]
    public void GivenACardMetricsAndAnImage_WhenRendered_ThenTheBodyMatchesItsGoldenFile() =>
        TestFiles.AssertGolden("release-notes.md", ReleaseNotesMarkdown.Render([SampleRelease.Churn(), SampleRelease.ConcreteWithoutCard()]));

    [TestCase("ghcr.io/acme/churn:1.2.0", "ghcr.io/acme/churn")]
    [TestCase("localhost:5000/churn:1.2.0", "localhost:5000/churn")]
    [TestCase("localhost:5000/churn", "localhost:5000/churn")]
    [TestCase("ghcr.io/acme/churn@sha256:0123", "ghcr.io/acme/churn")]
    public void GivenAnImageReference_WhenItsRepositoryIsTaken_ThenTagAndDigestGoButARegistryPortStays(string image, string repository) =>
        Assert.That(ReleaseNotesMarkdown.Repository(image), Is.EqualTo(repository));
}

internal static class SampleRelease
{
    public const string Digest = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

    public static ReleaseModel Churn() => new("churn",
    [
        new("auc", 0.842654553151305),
        new("accuracy", 0.8119233498935415),
        new("f1", 0.5978755690440061),
        new("log_loss", null),
    ])
    {
        ModelCard = "# churn\r\n\r\nPredicts whether a telco customer leaves (`churn` = Yes), from 19 account features.\r\n\r\n## Data\r\n\r\n`data/wa_churn.csv` (7043 rows), 20 % held out.\r\n",
        Image = "ghcr.io/acme/churn:1.2.0",
        ImageDigest = Digest,
    };

    public static ReleaseModel ConcreteWithoutCard() => new("concrete", [new("r2", 0.9012), new("rmse", 5.4321)])
    {
        Image = "ghcr.io/acme/concrete:1.2.0",
    };
}
