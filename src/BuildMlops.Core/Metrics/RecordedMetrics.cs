using BuildMlops.Cache;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Metrics;

/// <summary>
/// The metrics a commit's lock file recorded: metrics.json is not committed, but its hash is, and the
/// run cache keeps the file under that hash (locally, or on the default remote after
/// <c>mlops push --run-cache</c>). What <c>mlops metrics diff --against git:REF</c> compares with.
/// </summary>
public static class RecordedMetrics
{
    public static IReadOnlyDictionary<string, double> AtGitReference(ModelSpec spec, MlopsRepository repository, string reference, IMlopsLog log)
    {
        var location = new SourceLocation(spec.LockFile);
        var root = GitInfo.TopLevel(spec.ProjectDirectory)
            ?? throw new MlopsException(ErrorCodes.BadLockFile, location, "the project is not in a git work tree, so there is no git:REF to compare with", "Compare with a registry alias or version instead (--against production)");
        var lockPath = Path.GetRelativePath(root, spec.LockFile).Replace('\\', '/');
        var text = GitInfo.Show(root, reference, lockPath)
            ?? throw new MlopsException(ErrorCodes.BadLockFile, location, $"git has no {lockPath} at '{reference}'", "Name a commit, branch or tag that has the project's lock file (git:main, git:v1.0.0)");
        var lockFile = LockFile.Parse(text, location);
        var metricsKey = spec.Relative(spec.PathOf(StepOutputs.Metrics));
        if (lockFile.Stage(StepName.Evaluate)?.Outs.GetValueOrDefault(metricsKey) is not { } recorded)
        {
            throw new MlopsException(ErrorCodes.BadLockFile, location, $"the lock file at {reference} records no {metricsKey}", "Compare with a commit whose model was built and its lock file committed");
        }

        var cache = new ContentCache(repository.CacheDirectory);
        if (!cache.Contains(recorded.Sha256))
        {
            log.Message($"fetching {metricsKey} of {reference} ({recorded.Sha256[..12]}) from the default remote");
            using var remote = RemoteRegistry.Open(repository, null);

            // A missing object is BM5003 from the cache; false means the remote's copy did not hash right.
            var fetched = cache.AddVerifiedAsync(recorded.Sha256, recorded.Size, (target, token) => remote.DownloadToAsync(RemoteKeys.Object(recorded.Sha256), target, token), CancellationToken.None).GetAwaiter().GetResult();
            if (!fetched)
            {
                throw new MlopsException(ErrorCodes.RemoteObjectCorrupt, location, $"the metrics of {reference} ({recorded.Sha256[..12]}) on remote '{remote.Name}' do not match their hash", "Push them again from a machine that built that commit: mlops push --run-cache");
            }
        }

        return MetricsFile.Read(cache.ObjectPath(recorded.Sha256));
    }
}
