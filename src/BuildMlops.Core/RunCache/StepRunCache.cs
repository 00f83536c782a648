using BuildMlops.Cache;
using BuildMlops.DataVersioning;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.IO;
using BuildMlops.Pipeline;
using BuildMlops.Remotes;
using BuildMlops.Repository;

namespace BuildMlops.RunCache;

/// <summary>
/// The run cache: a step whose dependencies any machine has seen before is restored, not rerun. Runs
/// are looked up in the local cache, then on the default remote (when this process can open it).
/// Restored outputs come from verified cache objects, so they are the bytes the original run wrote.
/// </summary>
public sealed class StepRunCache : IDisposable
{
    private readonly MlopsRepository _repository;
    private readonly ContentCache _cache;
    private readonly IMlopsLog _log;
    private IRemoteStorage? _remote;
    private bool _remoteOpened;

    public StepRunCache(MlopsRepository repository, IMlopsLog log)
    {
        _repository = repository;
        _cache = new ContentCache(repository.CacheDirectory);
        _log = log;
    }

    public string RecordPath(string step, string fingerprint) =>
        Path.Combine(_cache.Root, RemoteKeys.Run(step, fingerprint).Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// Writes the outputs of a run with these dependencies to the given temporary paths, if the run is
    /// known; returns where it came from (<c>local</c> or the remote's name), or null.
    /// </summary>
    public string? TryRestore(StepName step, SortedDictionary<string, string> deps, IReadOnlyDictionary<string, string> outputsByRelativePath)
    {
        try
        {
            return Restore(step, deps, outputsByRelativePath);
        }
        catch (MlopsException error) when (error.Code is ErrorCodes.ObjectMissing or ErrorCodes.RemoteObjectCorrupt or ErrorCodes.RemoteAccessDenied or ErrorCodes.RemoteUnreachable or ErrorCodes.BadRemote or ErrorCodes.CacheObjectCorrupt)
        {
            // The run cache only saves time: when it cannot deliver, the step runs, and says why.
            _log.Warning(error.Code, error.Location, $"the run cache could not restore {step.Target()}, so it runs: {error.Message}");
            return null;
        }
    }

    private string? Restore(StepName step, SortedDictionary<string, string> deps, IReadOnlyDictionary<string, string> outputsByRelativePath)
    {
        var fingerprint = RunRecord.FingerprintOf(deps);
        var source = "local cache";
        var record = File.Exists(RecordPath(step.Key(), fingerprint)) ? RunRecord.Parse(File.ReadAllText(RecordPath(step.Key(), fingerprint)), fingerprint) : null;
        var remote = record is null ? Remote() : null;
        if (record is null && remote is not null)
        {
            var bytes = Task.Run(() => new DataTransfer(_cache, remote, _log, 1).FetchAsync(RemoteKeys.Run(step.Key(), fingerprint), CancellationToken.None)).GetAwaiter().GetResult();
            record = bytes is null ? null : RunRecord.Parse(System.Text.Encoding.UTF8.GetString(bytes), fingerprint);
            source = $"remote '{remote.Name}'";
        }

        if (record is null || !outputsByRelativePath.Keys.Order(StringComparer.Ordinal).SequenceEqual(record.Outs.Keys, StringComparer.Ordinal))
        {
            return null;
        }

        using var cacheLock = DirectoryLock.Shared(_cache.Root);
        var needed = record.Outs.Values.Where(output => !_cache.Contains(output.Sha256)).Select(output => (ContentId.Sha256(output.Sha256), output.Size)).ToList();
        if (needed.Count > 0)
        {
            var from = remote ?? Remote();
            if (from is null)
            {
                return null;
            }

            Task.Run(() => new DataTransfer(_cache, from, new QuietLog(_log), 4).PullAsync(needed, CancellationToken.None)).GetAwaiter().GetResult();
        }

        foreach (var (relative, output) in record.Outs)
        {
            _cache.Checkout(ContentId.Sha256(output.Sha256), outputsByRelativePath[relative], [LinkType.Copy], new SourceLocation(RecordPath(step.Key(), fingerprint)));
        }

        if (source != "local cache")
        {
            Save(step, record.Deps, record.Outs.ToDictionary(output => output.Key, output => outputsByRelativePath[output.Key]));
        }

        return $"{source}, run {fingerprint[..12]}";
    }

    /// <summary>Stores a finished run: its outputs into the cache, its record under its fingerprint.</summary>
    public void Save(StepName step, SortedDictionary<string, string> deps, IReadOnlyDictionary<string, string> outputFilesByRelativePath)
    {
        _repository.EnsureInitialized();
        using var cacheLock = DirectoryLock.Shared(_cache.Root);
        var outs = new SortedDictionary<string, OutputRecord>(StringComparer.Ordinal);
        foreach (var (relative, path) in outputFilesByRelativePath)
        {
            var hash = _cache.Add(path);
            outs[relative] = new OutputRecord(hash, new FileInfo(path).Length);
        }

        var fingerprint = RunRecord.FingerprintOf(deps);
        var record = new RunRecord { Step = step.Key(), Fingerprint = fingerprint, Deps = deps, Outs = outs };
        IO.AtomicFile.WriteAllTextIfChanged(RecordPath(step.Key(), fingerprint), record.ToJson());
        if (_repository.Config.AutoPushRunCache && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                AutoPush(step, fingerprint, outs);
            }
            catch (MlopsException error)
            {
                _log.Warning(error.Code, error.Location, $"the run of {step.Target()} was not pushed to the run cache: {error.Message}");
            }
        }
    }

    private void AutoPush(StepName step, string fingerprint, SortedDictionary<string, OutputRecord> outs)
    {
        if (Remote() is { } remote)
        {
            // CI shares what it computed: the next runner (or pull request) restores instead of retraining.
            var transfer = new DataTransfer(_cache, remote, new QuietLog(_log), 4);
            Task.Run(async () =>
            {
                await transfer.PushAsync(outs.Values.Select(output => (ContentId.Sha256(output.Sha256), output.Size)), CancellationToken.None);
                await transfer.UploadFileAsync(RemoteKeys.Run(step.Key(), fingerprint), RecordPath(step.Key(), fingerprint), CancellationToken.None);
            }).GetAwaiter().GetResult();
            _log.Message($"pushed run {fingerprint[..12]} of {step.Target()} to remote '{remote.Name}'");
        }
    }

    /// <summary>Every run record in the local cache, with the objects it references.</summary>
    public IEnumerable<(string Key, string Path, RunRecord Record)> LocalRuns()
    {
        var runs = Path.Combine(_cache.Root, "runs");
        if (!Directory.Exists(runs))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(runs, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var fingerprint = Path.GetFileNameWithoutExtension(file);
            if (RunRecord.Parse(File.ReadAllText(file), fingerprint) is { } record)
            {
                yield return (RemoteKeys.Run(record.Step, fingerprint), file, record);
            }
        }
    }

    public void Dispose() => _remote?.Dispose();

    private IRemoteStorage? Remote()
    {
        if (_remoteOpened)
        {
            return _remote;
        }

        _remoteOpened = true;
        var name = _repository.Config.DefaultRemote;
        if (name is null || !_repository.Config.Remotes.TryGetValue(name, out var settings) || !RemoteRegistry.CanOpen(settings))
        {
            return null;
        }

        return _remote = RemoteRegistry.Open(_repository, name);
    }

    /// <summary>Transfers inside a build report only errors: the step's own line says what happened.</summary>
    private sealed class QuietLog(IMlopsLog inner) : IMlopsLog
    {
        public void Message(string text) => inner.Message(text);

        public void Important(string text) => inner.Message(text);

        public void Warning(string code, SourceLocation location, string message) => inner.Warning(code, location, message);

        public void Error(MlopsException error) => inner.Error(error);
    }
}
