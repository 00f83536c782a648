using BuildMlops.Diagnostics;
using BuildMlops.ModelRegistry;
using NUnit.Framework;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>Unknown names, damaged entries and unfinished registrations: a clear BMnnnn error each, and nothing changed.</summary>
[TestFixture]
public sealed class BadRegistryTests
{
    [Test]
    public async Task GivenUnknownModelsVersionsAndAliases_WhenResolvedOrPromoted_ThenEachIsItsOwnBMCodeAndNothingChanges()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42, 7);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);
        var before = workspace.Snapshot();

        var model = Assert.ThrowsAsync<MlopsException>(() => store.RequireAsync("credit", "1", CancellationToken.None));
        var version = Assert.ThrowsAsync<MlopsException>(() => store.RequireAsync("churn", "9", CancellationToken.None));
        var alias = Assert.ThrowsAsync<MlopsException>(() => store.RequireAsync("churn", "staging", CancellationToken.None));
        var promoteMissing = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "9", "production", "why not", force: true, CancellationToken.None));
        var promoteUnknown = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("credit", "1", "production", null, force: false, CancellationToken.None));
        var rollbackUnknown = Assert.ThrowsAsync<MlopsException>(() => store.RollbackAsync("churn", "staging", "undo", CancellationToken.None));
        var historyUnknown = Assert.ThrowsAsync<MlopsException>(() => store.HistoryAsync("credit", null, CancellationToken.None));
        var badAlias = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "1", "latest", null, force: false, CancellationToken.None));
        var badName = Assert.ThrowsAsync<MlopsException>(() => store.ResolveAsync("churn", "Prod!", CancellationToken.None));

        Assert.That((model!.Code, version!.Code, alias!.Code), Is.EqualTo((ErrorCodes.ModelNotRegistered, ErrorCodes.ModelVersionNotFound, ErrorCodes.ModelAliasNotFound)));
        Assert.That(model.Message, Does.Contain("no model named 'credit' is registered").And.Contain("(models: churn)"));
        Assert.That(version.Message, Does.Contain("churn has no version 9 (versions: 1 to 2)"));
        Assert.That(alias.Message, Does.Contain("churn has no alias 'staging' (aliases: production)"));
        Assert.That((promoteMissing!.Code, promoteUnknown!.Code, rollbackUnknown!.Code, historyUnknown!.Code), Is.EqualTo((ErrorCodes.ModelVersionNotFound, ErrorCodes.ModelNotRegistered, ErrorCodes.ModelAliasNotFound, ErrorCodes.ModelNotRegistered)));
        Assert.That((badAlias!.Code, badName!.Code), Is.EqualTo((ErrorCodes.BadRegistryName, ErrorCodes.BadRegistryName)));
        Assert.That(await store.ResolveAsync("credit", "latest", CancellationToken.None), Is.Null);
        Assert.That(workspace.Snapshot(), Is.EqualTo(before), "no error left a trace");
    }

    [Test]
    public async Task GivenATruncatedVersionJson_WhenTheVersionIsRead_ThenBM8004NamesTheFileAndListingWarnsButGoesOn()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42, 7);
        var versionJson = workspace.PathOf("churn", 1, "version.json");
        File.WriteAllText(versionJson, File.ReadAllText(versionJson)[..200]);
        using var store = workspace.Open();

        var error = Assert.ThrowsAsync<MlopsException>(() => store.ResolveAsync("churn", "1", CancellationToken.None));
        var listing = await store.ListVersionsAsync("churn", CancellationToken.None);

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.RegistryEntryCorrupt));
        Assert.That(error.Location.File, Is.EqualTo(versionJson));
        Assert.That(error.Message, Does.StartWith("version.json cannot be read"));
        Assert.That(listing.Versions.Select(version => version.Version), Is.EqualTo(new[] { 2 }));
        Assert.That(listing.Corrupt, Is.EqualTo(new[] { 1 }));
        Assert.That(workspace.Log.Lines, Has.Some.StartsWith($"warning {ErrorCodes.RegistryEntryCorrupt}"));
    }

    [Test]
    public async Task GivenAModelZipWhoseBytesChanged_WhenPromotedOrDownloaded_ThenBM8004AndNeitherTheAliasNorTheTargetFolderChanges()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42, 7);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);
        var model = workspace.PathOf("churn", 2, "model.zip");
        var bytes = File.ReadAllBytes(model);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(model, bytes);
        var before = workspace.Snapshot();
        var version = (await store.ResolveAsync("churn", "2", CancellationToken.None))!;
        var target = workspace.Scratch("download");

        var promote = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "2", "production", "newer", force: false, CancellationToken.None));
        var download = Assert.ThrowsAsync<MlopsException>(() => store.DownloadModelAsync(version, target, CancellationToken.None));

        Assert.That((promote!.Code, download!.Code), Is.EqualTo((ErrorCodes.RegistryEntryCorrupt, ErrorCodes.RegistryEntryCorrupt)));
        Assert.That(promote.Message, Does.Contain("model.zip of churn version 2 does not hash as recorded"));
        Assert.That(promote.Location.File, Is.EqualTo(model));
        Assert.That(workspace.Snapshot(), Is.EqualTo(before), "the alias did not move and no audit event was written");
        Assert.That(Directory.GetFiles(target), Is.Empty, "nothing unverified lands in the target folder");
    }

    [Test]
    public async Task GivenAVersionDownloaded_WhenItsFilesAreRead_ThenTheyAreTheRegisteredBytesWithVersionJson()
    {
        using var workspace = new RegistryWorkspace();
        var project = BuiltProject.Churn(workspace.Root);
        using var store = workspace.Open();
        var version = await store.RegisterAsync(project.Input(), CancellationToken.None);

        var directory = await store.DownloadModelAsync(version, workspace.Scratch("production-model"), CancellationToken.None);

        Assert.That(Directory.GetFiles(directory).Select(Path.GetFileName), Is.EquivalentTo(version.Files.Keys.Append("version.json")));
        Assert.That(File.ReadAllBytes(Path.Combine(directory, "model.zip")), Is.EqualTo(File.ReadAllBytes(project.Output("model.zip"))));
        Assert.That(File.ReadAllBytes(Path.Combine(directory, "schema.json")), Is.EqualTo(File.ReadAllBytes(project.Output("schema.json"))));
    }

    [Test]
    public async Task GivenARegistrationThatDiedAfterItsClaim_WhenTheNextRegisters_ThenTheNumberIsSkippedAndReportedIncomplete()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42);
        // What a registration killed after claiming version 2 leaves: the claim and some of the files, no version.json.
        Directory.CreateDirectory(Path.GetDirectoryName(workspace.PathOf("churn", 2, "claim.json"))!);
        File.WriteAllText(workspace.PathOf("churn", 2, "claim.json"), "{\n  \"model\": \"churn\",\n  \"version\": 2\n}\n");
        File.Copy(workspace.PathOf("churn", 1, "model.zip"), workspace.PathOf("churn", 2, "model.zip"));
        using var store = workspace.Open();

        var next = await store.RegisterAsync(BuiltProject.Churn(workspace.Root, seed: 7).Input(), CancellationToken.None);
        var incomplete = Assert.ThrowsAsync<MlopsException>(() => store.RequireAsync("churn", "2", CancellationToken.None));
        var listing = await store.ListVersionsAsync("churn", CancellationToken.None);

        Assert.That(next.Version, Is.EqualTo(3));
        Assert.That(incomplete!.Code, Is.EqualTo(ErrorCodes.ModelVersionNotFound));
        Assert.That(incomplete.Message, Does.Contain("version 2 of churn was claimed by a registration that has not finished"));
        Assert.That(listing.Incomplete, Is.EqualTo(new[] { 2 }));
        Assert.That((await store.ResolveAsync("churn", "latest", CancellationToken.None))!.Version, Is.EqualTo(3));
    }

    [Test]
    public async Task GivenADamagedAliasTable_WhenAnAliasIsResolvedOrMoved_ThenBM8004()
    {
        using var workspace = new RegistryWorkspace();
        await AliasTests.RegisterSeedsAsync(workspace, 42);
        using var store = workspace.Open();
        await store.PromoteAsync("churn", "1", "production", null, force: false, CancellationToken.None);
        File.WriteAllText(Path.Combine(workspace.RegistryFolder, "churn", "aliases.json"), "{ \"schema\": 1, \"model\": \"churn\", \"aliases\": { \"production\": { \"version\": ");

        var resolve = Assert.ThrowsAsync<MlopsException>(() => store.ResolveAsync("churn", "production", CancellationToken.None));
        var promote = Assert.ThrowsAsync<MlopsException>(() => store.PromoteAsync("churn", "1", "staging", null, force: false, CancellationToken.None));

        Assert.That((resolve!.Code, promote!.Code), Is.EqualTo((ErrorCodes.RegistryEntryCorrupt, ErrorCodes.RegistryEntryCorrupt)));
    }
}
