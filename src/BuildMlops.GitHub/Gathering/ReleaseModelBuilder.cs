using System.Text.Json;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.GitHub.Gathering;

/// <summary>One model's part of a release: its section of the notes and the files to attach.</summary>
/// <param name="Model">The notes' section: card, metrics, image.</param>
/// <param name="Assets">The files to upload: the model card (when a version is registered), metrics.json and mlops.lock.json, as they exist.</param>
/// <param name="Version">The registered version the card is of, when there is one.</param>
public sealed record ReleaseEntry(ReleaseModel Model, IReadOnlyList<string> Assets, RegisteredVersion? Version);

/// <summary>
/// Gathers a built model project's part of a release: the model card of the version registered from the release's
/// commit (else the latest version), the built metrics.json, and the image push.json records
/// (<c>bin/mlops/image/push.json</c>), when the project was packaged and pushed.
/// </summary>
public sealed class ReleaseModelBuilder(IMlopsLog log)
{
    /// <summary>
    /// The release entry of <paramref name="spec"/>. The card's file is written under the project's intermediate
    /// directory (<c>obj/mlops/release/card.md</c>) so that it can be uploaded like the other assets.
    /// </summary>
    public async Task<ReleaseEntry> BuildAsync(ModelSpec spec, string? commit, CancellationToken ct = default)
    {
        var metricsPath = spec.PathOf(StepOutputs.Metrics);
        var metrics = File.Exists(metricsPath) ? OrderedMetrics.Read(metricsPath).Values : [];
        var assets = new List<string>();

        RegisteredVersion? version = null;
        string? card = null;
        var repository = MlopsRepository.Discover(spec.ProjectDirectory);
        using (var store = ModelRegistryStore.Open(repository, log))
        {
            var model = string.IsNullOrEmpty(spec.ModelName) ? spec.ProjectName.ToLowerInvariant() : spec.ModelName;
            if ((await store.ListModelsAsync(ct)).Contains(model, StringComparer.Ordinal))
            {
                var versions = (await store.ListVersionsAsync(model, ct)).Versions;

                // The version this commit registered is the one released; a tag on a commit that registered none
                // (registration ran on the merge before it) gets the latest, and the log says so.
                version = versions.LastOrDefault(candidate => commit is not null && string.Equals(candidate.GitCommit, commit, StringComparison.OrdinalIgnoreCase));
                if (version is null && versions.Count > 0)
                {
                    version = versions[^1];
                    log.Message($"{model}: no version was registered from commit {commit ?? "(unknown)"}; the release shows the latest, version {version.Version}");
                }

                if (version is not null)
                {
                    card = await store.ReadCardAsync(version, ct);
                    var cardPath = Path.Combine(spec.IntermediateDirectory, "release", RegisteredFile.Card);
                    Directory.CreateDirectory(Path.GetDirectoryName(cardPath)!);
                    await File.WriteAllTextAsync(cardPath, card, ct);
                    assets.Add(cardPath);
                }
            }
            else
            {
                log.Message($"{spec.ProjectName}: no model named '{model}' is registered, so its release section has no model card");
            }
        }

        if (metrics.Count == 0 && version is not null)
        {
            metrics = version.MetricValues.Select(pair => KeyValuePair.Create(pair.Key, double.IsFinite(pair.Value) ? pair.Value : (double?)null)).ToList();
        }

        assets.AddRange(new[] { metricsPath, spec.LockFile }.Where(File.Exists));
        var (image, digest) = Image(Path.Combine(spec.OutputDirectory, "image", "push.json"));
        return new ReleaseEntry(new ReleaseModel(spec.ProjectName, metrics) { ModelCard = card, Image = image, ImageDigest = digest }, assets, version);
    }

    /// <summary>The pushed image as <c>repository:tag</c> (the first tag) and its digest, from push.json; nulls when absent or unreadable.</summary>
    private (string? Image, string? Digest) Image(string pushPath)
    {
        if (!File.Exists(pushPath))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(pushPath));
            var root = document.RootElement;
            var reference = root.TryGetProperty("reference", out var r) ? r.GetString() : null;
            var digest = root.TryGetProperty("digest", out var d) ? d.GetString() : null;
            var tag = root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array ? tags.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => !string.IsNullOrEmpty(t)) : null;
            if (string.IsNullOrEmpty(reference))
            {
                return (null, null);
            }

            var repository = ReleaseNotesMarkdown.Repository(reference);
            return (tag is null ? repository : $"{repository}:{tag}", string.IsNullOrEmpty(digest) ? null : digest);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or IOException)
        {
            // The image is one line of the notes: a damaged push.json loses it, not the release.
            log.Message($"{pushPath} cannot be read ({exception.Message}); the release notes leave the image out");
            return (null, null);
        }
    }
}
