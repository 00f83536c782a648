using BuildMlops.Diagnostics;
using BuildMlops.ModelRegistry;
using NUnit.Framework;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>Promotion, rollback and the audit log on a folder store.</summary>
[TestFixture]
public sealed class AliasTests
{
    [Test]
    public async Task GivenVersions_WhenPromotedTwiceAndRolledBack_ThenTheAliasFollowsAndHistoryHasEveryMoveWithWhoWhenFromToWhy()
    {
        using var workspace = new RegistryWorkspace();
        await RegisterSeedsAsync(workspace, 42, 7);
        using var store = workspace.Open();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var first = await store.PromoteAsync("churn", "1", "production", "first release", force: false, CancellationToken.None);
        var second = await store.PromoteAsync("churn", "latest", "production", "seed 7 is better", force: false, CancellationToken.None);
        var back = await store.RollbackAsync("churn", "production", "version 2 misbehaves", CancellationToken.None);

        Assert.That((first.From, first.To, second.From, second.To, back.From, back.To), Is.EqualTo(((int?)null, 1, (int?)1, 2, (int?)2, 1)));
        Assert.That((await store.ResolveAsync("churn", "production", CancellationToken.None))!.Version, Is.EqualTo(1));
        var history = await store.HistoryAsync("churn", null, CancellationToken.None);
        Assert.That(history.Select(e => (e.Sequence, e.Alias, e.Action, e.From, e.To, e.Why, e.Applied)), Is.EqualTo(new[]
        {
            (1L, "production", "promote", (int?)null, 1, "first release", true),
            (2L, "production", "promote", (int?)1, 2, "seed 7 is better", true),
            (3L, "production", "rollback", (int?)2, 1, "version 2 misbehaves", true),
        }));
        Assert.That(history.Select(e => e.Who), Has.All.EqualTo(Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user ? user : Environment.UserName).Or.Contains("<"), "git's user, else $USER");
        Assert.That(history.Select(e => e.When), Has.All.InRange(before, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.That(history.Select(e => e.PreviousEvent), Is.EqualTo(new long?[] { null, 1, 2 }), "each move names the one before it");
    }

    [Test]
    public async Task GivenTheVersionTheAliasAlreadyHas_WhenPromoted_ThenNothingMovesAndNoEventIsWritten()
    {
        using var workspace = new RegistryWorkspace();
        await RegisterSeedsAsync(workspace, 42);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);

        var again = await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);

        Assert.That(again.Moved, Is.False);
        Assert.That(await store.HistoryAsync("churn", null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task GivenAVersionWhoseGatesFailed_WhenPromoted_ThenItIsRefusedUnlessForcedWithAReasonWhichIsRecorded()
    {
        using var workspace = new RegistryWorkspace();
        await RegisterSeedsAsync(workspace, 42);
        var failing = BuiltProject.Churn(workspace.Root, seed: 7, aucMin: 0.99);
        using var store = workspace.Open();
        var version = await store.RegisterAsync(failing.Input(), CancellationToken.None);
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);
        var before = workspace.Snapshot();

        var refused = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "2", "production", null, force: false, CancellationToken.None));
        var noReason = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "2", "production", "  ", force: true, CancellationToken.None));

        Assert.That(version.Gates.Passed, Is.False);
        Assert.That(refused!.Code, Is.EqualTo(ErrorCodes.AliasMoveRefused));
        Assert.That(refused.Message, Does.Contain("version 2 of churn failed its gates (auc").And.Contain("min 0.99"));
        Assert.That(noReason!.Code, Is.EqualTo(ErrorCodes.AliasMoveRefused));
        Assert.That(workspace.Snapshot(), Is.EqualTo(before), "a refused promotion changes nothing");

        var forced = await store.PromoteAsync("churn", "2", "production", "hotfix for the outage; gates re-tuned next sprint", force: true, CancellationToken.None);

        Assert.That(forced.To, Is.EqualTo(2));
        Assert.That(forced.Event!.Forced, Is.True);
        Assert.That(forced.Event.GatesPassed, Is.False);
        var last = (await store.HistoryAsync("churn", "production", CancellationToken.None))[^1];
        Assert.That((last.Forced, last.Why), Is.EqualTo((true, "hotfix for the outage; gates re-tuned next sprint")));
    }

    [Test]
    public async Task GivenAnAliasCreatedByItsOnlyMove_WhenRolledBack_ThenBM8005AndNothingChanges()
    {
        using var workspace = new RegistryWorkspace();
        await RegisterSeedsAsync(workspace, 42);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "staging", null, force: false, CancellationToken.None);
        var before = workspace.Snapshot();

        var error = Assert.ThrowsAsync<MlopsException>(() => store.RollbackAsync("churn", "staging", "undo", CancellationToken.None));
        var noReason = Assert.ThrowsAsync<MlopsException>(() => store.RollbackAsync("churn", "staging", "", CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.AliasMoveRefused));
        Assert.That(error.Message, Does.Contain("has nothing to roll back to"));
        Assert.That(noReason!.Code, Is.EqualTo(ErrorCodes.AliasMoveRefused));
        Assert.That(workspace.Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task GivenTwoAliases_WhenEachMoves_ThenEachHasItsOwnChainAndHistoryFiltersByAlias()
    {
        using var workspace = new RegistryWorkspace();
        await RegisterSeedsAsync(workspace, 42, 7);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);
        await store.PromoteAsync("churn", "2", "staging", null, force: false, CancellationToken.None);
        await store.PromoteAsync("churn", "staging", "production", "staging looked good", force: false, CancellationToken.None);

        var aliases = await store.ListAliasesAsync("churn", CancellationToken.None);
        var production = await store.HistoryAsync("churn", "production", CancellationToken.None);

        Assert.That(aliases.Select(alias => (alias.Alias, alias.Version)), Is.EqualTo(new[] { ("production", 2), ("staging", 2) }));
        Assert.That(production.Select(e => e.Sequence), Is.EqualTo(new[] { 1L, 3L }));
        Assert.That(production[1].PreviousEvent, Is.EqualTo(1), "the chain skips the other alias's event");
    }

    internal static async Task RegisterSeedsAsync(RegistryWorkspace workspace, params int[] seeds)
    {
        using var store = workspace.Open();
        foreach (var seed in seeds)
        {
            await store.RegisterAsync(BuiltProject.Churn(workspace.Root, seed: seed).Input(), CancellationToken.None);
        }
    }
}
