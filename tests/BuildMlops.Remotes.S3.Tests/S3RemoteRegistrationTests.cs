using BuildMlops.Repository;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

[TestFixture]
public sealed class S3RemoteRegistrationTests
{
    [Test]
    public async Task GivenARepositoryWhoseDefaultRemoteIsS3_WhenOpenedAfterRegistration_ThenItIsAnS3RemoteThatWorks()
    {
        using var directory = new TemporaryDirectory("s3-repo");
        var config = new MlopsConfig { DefaultRemote = "storage" };
        config.Remotes["storage"] = TestData.Settings(S3ServerSetUp.Server);
        Directory.CreateDirectory(directory.Combine(".mlops"));
        config.Save(directory.Combine(".mlops", "config.json"));
        var repository = MlopsRepository.Open(directory.Path);

        S3RemoteRegistration.Register();
        using var remote = RemoteRegistry.Open(repository, name: null);

        Assert.That(remote, Is.InstanceOf<S3Remote>());
        Assert.That(remote.Url, Is.EqualTo(config.Remotes["storage"].Url));
        var file = TestData.RandomFile(directory, "a.bin", 64);
        await remote.UploadAsync("files/a", file, CancellationToken.None);
        Assert.That(await remote.ExistsAsync("files/a", CancellationToken.None), Is.True);
    }
}
