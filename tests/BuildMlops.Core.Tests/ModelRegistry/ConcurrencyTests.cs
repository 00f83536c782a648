using System.Text;
using BuildMlops.ModelRegistry;
using BuildMlops.Remotes;
using NUnit.Framework;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>Many writers at once on one folder store: nothing is lost, nothing is taken twice.</summary>
[TestFixture]
public sealed class ConcurrencyTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task GivenFourBuildsOfOneModel_WhenRegisteredAtOnceFromSeparateStores_ThenEachGetsItsOwnVersionAndEveryVersionIsComplete(bool folderRemote)
    {
        using var workspace = new RegistryWorkspace(folderRemote);
        var projects = new[] { 42, 7, 11, 23 }.Select(seed => BuiltProject.Churn(workspace.Root, $"churn{seed}", seed)).ToList();
        var inputs = projects.Select(project => project.Input("churn")).ToList();

        var registered = await Task.WhenAll(inputs.Select(input => Task.Run(async () =>
        {
            using var store = workspace.Open(); // as separate processes would, each with its own store
            return await store.RegisterAsync(input, CancellationToken.None);
        })));

        Assert.That(registered.Select(version => version.Version).Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        using var reader = workspace.Open();
        foreach (var (input, version) in inputs.Zip(registered))
        {
            var stored = await reader.ResolveAsync("churn", version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
            Assert.That(stored!.Fingerprint, Is.EqualTo(input.Fingerprint), "each version holds the bytes of the registration that claimed it");
            await reader.VerifyAsync(stored, CancellationToken.None);
        }

        Assert.That((await reader.ListVersionsAsync("churn", CancellationToken.None)).Incomplete, Is.Empty);
    }

    [Test]
    public async Task GivenFourDifferentModels_WhenRegisteredAtOnce_ThenTheCatalogListsEveryOne()
    {
        using var workspace = new RegistryWorkspace();
        var inputs = new[] { "a", "b", "c", "d" }.Select((name, index) => BuiltProject.Churn(workspace.Root, name, 40 + index).Input()).ToList();

        await Task.WhenAll(inputs.Select(input => Task.Run(async () =>
        {
            using var store = workspace.Open();
            return await store.RegisterAsync(input, CancellationToken.None);
        })));

        using var reader = workspace.Open();
        Assert.That(await reader.ListModelsAsync(CancellationToken.None), Is.EqualTo(new[] { "a", "b", "c", "d" }));
    }

    [Test]
    public async Task GivenFourPromotionsOfOneAliasAtOnce_WhenTheyRace_ThenEveryOneTakesEffectInSomeOrderAndTheChainMatchesTheAlias()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42, 7, 11, 23);

        var moves = await Task.WhenAll(Enumerable.Range(1, 4).Select(version => Task.Run(async () =>
        {
            using var store = workspace.Open();
            return await store.PromoteAsync("churn", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "production", $"candidate {version}", force: false, CancellationToken.None);
        })));

        using var reader = workspace.Open();
        var history = await reader.HistoryAsync("churn", "production", CancellationToken.None);
        var applied = history.Where(e => e.Applied).ToList();
        Assert.That(moves.Select(move => move.To).Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(applied.Select(e => e.To).Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }), "no promotion was lost");
        Assert.That((await reader.ResolveAsync("churn", "production", CancellationToken.None))!.Version, Is.EqualTo(applied[^1].To));
        for (var index = 1; index < applied.Count; index++)
        {
            Assert.That(applied[index].From, Is.EqualTo(applied[index - 1].To), "each applied move starts where the one before it ended");
            Assert.That(applied[index].PreviousEvent, Is.EqualTo(applied[index - 1].Sequence));
        }
    }

    [Test]
    public async Task GivenAFolderRemote_WhenAKeyIsCreatedTwiceOrReplacedWithAStaleTag_ThenOnlyTheFirstWriteWins()
    {
        using var workspace = new RegistryWorkspace();
        using var remote = new FolderRemote("storage", workspace.Scratch("remote"));

        var created = await remote.PutIfAbsentAsync("registry/x/claim.json", "one"u8.ToArray(), CancellationToken.None);
        var again = await remote.PutIfAbsentAsync("registry/x/claim.json", "two"u8.ToArray(), CancellationToken.None);
        var read = await remote.ReadWithETagAsync("registry/x/claim.json", CancellationToken.None);
        var replaced = await remote.ReplaceIfMatchAsync("registry/x/claim.json", "three"u8.ToArray(), read!.ETag, CancellationToken.None);
        var stale = await remote.ReplaceIfMatchAsync("registry/x/claim.json", "four"u8.ToArray(), read.ETag, CancellationToken.None);
        var racers = await Task.WhenAll(Enumerable.Range(0, 8).Select(index => Task.Run(() => remote.PutIfAbsentAsync("registry/x/race.json", Encoding.UTF8.GetBytes($"writer {index}"), CancellationToken.None))));

        Assert.That((created, again, replaced, stale), Is.EqualTo((true, false, true, false)));
        Assert.That(Encoding.UTF8.GetString((await remote.ReadWithETagAsync("registry/x/claim.json", CancellationToken.None))!.Bytes), Is.EqualTo("three"));
        Assert.That(racers.Count(won => won), Is.EqualTo(1), "of eight simultaneous creates, exactly one wins");
        Assert.That(await remote.ReadWithETagAsync("registry/x/missing.json", CancellationToken.None), Is.Null);
        Assert.That(Directory.GetFiles(workspace.Scratch("remote"), "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temporary file is left behind");
    }
}
