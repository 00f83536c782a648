using BuildMlops.Diagnostics;
using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// Makes the GitHub release of a tag, idempotently: a run for a tag that already has a release edits it (name and
/// body) instead of failing, and an asset with the name of one to upload is deleted and uploaded again, so a release
/// job can simply be rerun. Every API failure is BM9103; a missing asset file is BM9105, found before any call so a
/// rerun never starts from a half-made release.
/// </summary>
public sealed class ReleasePublisher(IGitHubClient client)
{
    /// <summary>
    /// The content type assets are uploaded with. GitHub's API description allows only this one for uploads, and a
    /// browser then downloads the file instead of showing it, which suits model cards, metrics and lock files alike.
    /// </summary>
    public const string AssetContentType = "application/octet-stream";

    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Creates or edits the release of <paramref name="tag"/> (default: the run's tag; BM9101 when the run is not for
    /// a tag) with the tag as its name and <paramref name="body"/> (see <see cref="ReleaseNotesMarkdown"/>), then
    /// uploads <paramref name="assets"/> (file paths), replacing assets of the same name. A tag with a pre-release
    /// part (<c>v1.2.0-rc.1</c>) makes a pre-release unless <paramref name="prerelease"/> says otherwise.
    /// </summary>
    public async Task<ReleaseOutcome> PublishAsync(GitHubContext context, string body, IReadOnlyList<string> assets, string? tag = null, bool? prerelease = null)
    {
        tag ??= context.Tag ?? throw new MlopsException(
            ErrorCodes.GitHubContextMissing,
            new SourceLocation("GITHUB_REF"),
            $"this run is not for a tag (GITHUB_REF is '{context.Ref}'), so there is no release to make",
            "Run the release on a tag push (on: push: tags: ['v*']), or name the tag explicitly");
        var files = assets.Select(Check).ToList();
        var isPrerelease = prerelease ?? tag.Contains('-', StringComparison.Ordinal);

        var (release, created) = await CallAsync(context, $"creating or editing the release of tag {tag}", () => CreateOrEditAsync(context, tag, body, isPrerelease));
        var existing = files.Count == 0
            ? []
            : await CallAsync(context, $"listing the assets of release {tag}", () => client.Repository.Release.GetAllAssets(context.Owner, context.Name, release.Id, new ApiOptions { PageSize = 100 }));

        var uploaded = new List<string>();
        var replaced = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            foreach (var old in existing.Where(asset => string.Equals(asset.Name, name, StringComparison.Ordinal)))
            {
                // GitHub refuses a second asset of the same name (422 already_exists): the old one goes first.
                await CallAsync(context, $"deleting the old asset {name} of release {tag}", async () =>
                {
                    await client.Repository.Release.DeleteAsset(context.Owner, context.Name, old.Id);
                    return true;
                });
                replaced.Add(name);
            }

            await CallAsync(context, $"uploading {name} to release {tag}", async () =>
            {
                await using var stream = File.OpenRead(file);
                return await client.Repository.Release.UploadAsset(release, new ReleaseAssetUpload(name, AssetContentType, stream, UploadTimeout));
            });
            uploaded.Add(name);
        }

        return new ReleaseOutcome(release.Id, release.HtmlUrl, created, uploaded, replaced.Distinct().ToList());
    }

    private async Task<(Release Release, bool Created)> CreateOrEditAsync(GitHubContext context, string tag, string body, bool prerelease)
    {
        Release? existing;
        try
        {
            existing = await client.Repository.Release.Get(context.Owner, context.Name, tag);
        }
        catch (NotFoundException)
        {
            existing = null;
        }

        if (existing is null)
        {
            var release = await client.Repository.Release.Create(context.Owner, context.Name, new NewRelease(tag)
            {
                Name = tag,
                Body = body,
                Prerelease = prerelease,
            });
            return (release, true);
        }

        var edited = await client.Repository.Release.Edit(context.Owner, context.Name, existing.Id, new ReleaseUpdate
        {
            Name = tag,
            Body = body,
            Prerelease = prerelease,
        });
        return (edited, false);
    }

    private static string Check(string path)
    {
        try
        {
            using var probe = File.OpenRead(path);
            return Path.GetFullPath(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MlopsException(
                ErrorCodes.ReleaseAssetUnreadable,
                new SourceLocation(path),
                $"the release asset cannot be read: {exception.Message}",
                "Build what the release attaches first (the model card, metrics.json, mlops.lock.json), or fix the path");
        }
    }

    private static async Task<T> CallAsync<T>(GitHubContext context, string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (GitHubApiErrors.IsApiFailure(exception))
        {
            throw GitHubApiErrors.Wrap(exception, action, context.ApiUrl);
        }
    }
}
