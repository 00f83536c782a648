using System.Diagnostics;
using BuildMlops.Diagnostics;
using BuildMlops.Gate;
using BuildMlops.HashData;
using BuildMlops.RunCache;
using BuildMlops.Spec;

namespace BuildMlops.Pipeline;

/// <summary>
/// Runs a model project's steps incrementally by content. For each step it computes the step's
/// dependencies, compares them with the lock file's record and the outputs on disk, and either says
/// the step is up to date or says why it runs, runs it, then hashes and records what it wrote.
/// The MSBuild tasks, the CLI and the worker process all drive steps through this one class.
/// </summary>
public sealed class PipelineRunner
{
    private readonly ModelSpec _spec;
    private readonly IMlopsLog _log;
    private readonly IStepWorker? _worker;
    private readonly FileHashCache _hashes;
    private readonly StepRunCache? _runCache;
    private readonly bool _readOnly;
    private readonly IBaselineProvider? _baselines;
    private readonly Dictionary<string, BaselineModel?> _resolvedBaselines = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string>? _dataHashes;

    /// <param name="worker">Does validate, train and evaluate; null where only planning is wanted.</param>
    /// <param name="runCache">Restores and stores runs; null to always run.</param>
    /// <param name="readOnly">Plan without side effects: tracked data is taken at its pointer's word, never checked out or pulled.</param>
    public PipelineRunner(ModelSpec spec, IMlopsLog log, IStepWorker? worker, StepRunCache? runCache = null, bool readOnly = false, IBaselineProvider? baselines = null)
    {
        _readOnly = readOnly;
        _spec = spec;
        _log = log;
        _worker = worker;
        _baselines = baselines;
        _runCache = spec.RunCache ? runCache : null;
        _hashes = FileHashCache.Load(Path.Combine(spec.IntermediateDirectory, "hash-cache.json"));
    }

    /// <summary>Runs every step from the first through <paramref name="last"/>, in order.</summary>
    public IReadOnlyList<StepResult> RunThrough(StepName last) =>
        [.. StepNames.InOrder.Where(step => step <= last).Select(Run)];

    /// <summary>The hash of every data file, by its name in the project; reads only changed files.</summary>
    public IReadOnlyDictionary<string, string> HashData() => _dataHashes ??= ComputeDataHashes(report: false);

    private IReadOnlyDictionary<string, string> ComputeDataHashes(bool report)
    {

        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var rehashed = new List<string>();
        long bytes = 0;
        foreach (var file in _spec.DataFiles)
        {
            if (file.PointerPath is not null)
            {
                var (pointerHash, pointerSize, fetched) = _readOnly ? TrackedData.Recorded(file) : TrackedData.Ensure(_spec, file, _log);
                hashes[file.Name] = pointerHash;
                bytes += pointerSize;
                if (fetched)
                {
                    rehashed.Add($"{file.Name} (checked out from the cache)");
                }

                continue;
            }

            if (!File.Exists(file.FullPath))
            {
                throw new MlopsException(
                    ErrorCodes.DataFileMissing,
                    ProjectFileLocator.Item(_spec.ProjectFile, SettingNames.DataItem, file.Name),
                    $"data file '{file.Name}' does not exist (looked for {file.FullPath})",
                    $"Check the path in <{SettingNames.DataItem} Include=\"{file.Name}\" />; it is relative to the project directory");
            }

            var previous = _hashes.Previous(file.FullPath);
            var (hash, size, wasRead) = _hashes.Get(file.FullPath);
            hashes[file.Name] = hash;
            bytes += size;
            if (wasRead)
            {
                rehashed.Add(previous == hash ? $"{file.Name} (touched, content unchanged)" : file.Name);
            }
        }

        _hashes.Save();
        var files = $"{hashes.Count} file{(hashes.Count == 1 ? "" : "s")}, {bytes:N0} bytes";
        if (!report)
        {
            return hashes;
        }

        _log.Important(rehashed.Count == 0
            ? $"{StepName.HashData.Target()}: up to date ({files})"
            : $"{StepName.HashData.Target()}: hashed {string.Join(", ", rehashed)} ({files})");
        return hashes;
    }

    /// <summary>Whether <paramref name="step"/> must run, and why.</summary>
    public StepPlan Plan(StepName step)
    {
        var dataHashes = step == StepName.Gate ? new Dictionary<string, string>() : HashData();
        var deps = StepDependencies.For(step, _spec, dataHashes, OutputHash, _baselines is null ? null : BaselineIdentity);
        if (step == StepName.HashData)
        {
            return new StepPlan(step, deps, []);
        }

        var record = LockFile.Load(_spec.LockFile).Stage(step);
        if (record is null)
        {
            return new StepPlan(step, deps, [$"it has not run yet ({Path.GetFileName(_spec.LockFile)} has no '{step.Key()}' entry)"]);
        }

        var reasons = ChangeDescriber.Describe(record.Deps, deps);
        foreach (var fileName in StepOutputs.FileNames(step))
        {
            var path = _spec.PathOf(fileName);
            var relative = _spec.Relative(path);
            if (!record.Outs.TryGetValue(relative, out var recorded))
            {
                reasons.Add($"output {relative} is not in the lock file");
            }
            else if (!File.Exists(path))
            {
                reasons.Add($"output {relative} is missing");
            }
            else if (OutputHash(path) != recorded.Sha256)
            {
                reasons.Add($"output {relative} was modified");
            }
        }

        _hashes.Save();
        return new StepPlan(step, deps, reasons);
    }

    /// <summary>Runs <paramref name="step"/> if it is not up to date (always, to verify, under MlopsVerify).</summary>
    public StepResult Run(StepName step)
    {
        if (step == StepName.HashData)
        {
            _dataHashes = ComputeDataHashes(report: true);
            return new StepResult(step, false, []);
        }

        // One step at a time per project, across processes: a second build waits, then plans again and
        // finds the step the first one ran up to date.
        using var projectLock = IO.DirectoryLock.Exclusive(_spec.IntermediateDirectory);
        StepResult result;
        try
        {
            result = RunLocked(step);
        }
        catch
        {
            RecordOutcome(step, null);
            throw;
        }

        RecordOutcome(step, result.RestoredFrom is not null ? StepOutcome.Restored : result.Ran ? StepOutcome.Ran : StepOutcome.UpToDate, result.RestoredFrom);
        return result;
    }

    /// <summary>Notes in obj/mlops/outcomes.json how this build got the step's outputs; a planning-only runner writes nothing.</summary>
    private void RecordOutcome(StepName step, StepOutcome? outcome, string? restoredFrom = null)
    {
        if (!_readOnly)
        {
            StepOutcomes.Record(_spec.IntermediateDirectory, step, outcome, restoredFrom);
        }
    }

    /// <summary><see cref="Run"/>'s work, under the project's step lock.</summary>
    private StepResult RunLocked(StepName step)
    {
        var plan = Plan(step);
        var verifying = _spec.Verify && step is StepName.ValidateData or StepName.Train or StepName.Evaluate;
        if (plan.UpToDate && !verifying)
        {
            _log.Important(plan.Describe());
            return new StepResult(step, false, []);
        }

        var record = LockFile.Load(_spec.LockFile).Stage(step);
        if (verifying)
        {
            RequireVerifiable(step, plan, record);
            _log.Important($"{step.Target()}: running from scratch to verify against {Path.GetFileName(_spec.LockFile)}");
        }

        var outputs = StepOutputs.FileNames(step).ToDictionary(name => name, name => AtomicTemporary(_spec.PathOf(name)));
        var stopwatch = Stopwatch.StartNew();
        if (!verifying)
        {
            if (step != StepName.Gate && TryRestore(step, plan, outputs) is { } restored)
            {
                return restored;
            }

            _log.Important(plan.Describe());
        }

        try
        {
            Execute(step, outputs);
        }
        catch (GateFailedException)
        {
            // The report of a failed gate is kept, but the lock does not record the gate as passed:
            // the next build checks the gates again and fails again until something changes.
            CommitOutputs(outputs);
            RecordStage(step, null);
            throw;
        }

        var produced = new SortedDictionary<string, OutputRecord>(StringComparer.Ordinal);
        foreach (var (fileName, temporary) in outputs)
        {
            produced[_spec.Relative(_spec.PathOf(fileName))] = new OutputRecord(ContentHash.OfFile(temporary), new FileInfo(temporary).Length);
        }

        if (verifying)
        {
            var differing = produced
                .Where(output => !record!.Outs.TryGetValue(output.Key, out var locked) || locked.Sha256 != output.Value.Sha256)
                .Select(output => $"{output.Key} (locked {Short(record!.Outs.GetValueOrDefault(output.Key)?.Sha256)}, rebuilt {Short(output.Value.Sha256)})")
                .ToList();
            if (differing.Count > 0)
            {
                DeleteAll(outputs.Values);
                throw new MlopsException(
                    ErrorCodes.NotReproduced,
                    new SourceLocation(_spec.LockFile),
                    $"{step.Target()} did not reproduce the lock file: {string.Join(", ", differing)}",
                    "Something nondeterministic reached the output; compare the tool versions in the lock file with this machine's");
            }
        }

        CommitOutputs(outputs);
        RecordStage(step, new StageRecord { Deps = plan.Deps, Outs = produced });
        if (!verifying && step != StepName.Gate)
        {
            _runCache?.Save(step, plan.Deps, outputs.Keys.ToDictionary(name => _spec.Relative(_spec.PathOf(name)), name => _spec.PathOf(name)));
        }

        var summary = string.Join(", ", produced.Select(output => $"{Path.GetFileName(output.Key)} {Short(output.Value.Sha256)}"));
        _log.Important($"{step.Target()}: {(verifying ? "reproduced" : "done")} in {stopwatch.Elapsed.TotalSeconds:0.0} s ({summary})");
        return new StepResult(step, true, verifying ? ["verify"] : plan.Reasons);
    }

    /// <summary>Restores the step's outputs from the run cache if any machine ran it with these dependencies.</summary>
    private StepResult? TryRestore(StepName step, StepPlan plan, Dictionary<string, string> outputs)
    {
        if (_runCache is null)
        {
            return null;
        }

        var byRelative = outputs.ToDictionary(output => _spec.Relative(_spec.PathOf(output.Key)), output => output.Value);
        var source = _runCache.TryRestore(step, plan.Deps, byRelative);
        if (source is null)
        {
            return null;
        }

        var produced = new SortedDictionary<string, OutputRecord>(StringComparer.Ordinal);
        foreach (var (relative, temporary) in byRelative)
        {
            produced[relative] = new OutputRecord(ContentHash.OfFile(temporary), new FileInfo(temporary).Length);
        }

        CommitOutputs(outputs);
        RecordStage(step, new StageRecord { Deps = plan.Deps, Outs = produced });
        var summary = string.Join(", ", produced.Select(output => $"{Path.GetFileName(output.Key)} {Short(output.Value.Sha256)}"));
        _log.Important($"{step.Target()}: restored from the run cache ({source}) instead of running, because {string.Join("; ", plan.Reasons)} ({summary})");
        return new StepResult(step, true, plan.Reasons) { RestoredFrom = source };
    }

    private void Execute(StepName step, IReadOnlyDictionary<string, string> outputs)
    {
        try
        {
            if (step == StepName.Gate)
            {
                GateEvaluator.Run(_spec, _log, outputs[StepOutputs.Gates], _baselines is null ? null : new ResolvedBaselines(_baselines, _resolvedBaselines));
                return;
            }

            if (_worker is null)
            {
                throw new InvalidOperationException($"no worker to run {step.Target()}");
            }

            _worker.Execute(step, _spec, outputs, _log);
            var missing = outputs.Where(output => !File.Exists(output.Value)).Select(output => output.Key).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"{step.Target()} wrote no {string.Join(", ", missing)}");
            }
        }
        catch (GateFailedException)
        {
            throw;
        }
        catch
        {
            DeleteAll(outputs.Values);
            throw;
        }
    }

    private void RequireVerifiable(StepName step, StepPlan plan, StageRecord? record)
    {
        var lockName = Path.GetFileName(_spec.LockFile);
        if (record is null)
        {
            throw new MlopsException(
                ErrorCodes.NotReproduced,
                new SourceLocation(_spec.LockFile),
                $"nothing to verify: {lockName} has no '{step.Key()}' entry",
                $"Build once without MlopsVerify and commit {lockName}");
        }

        var changes = ChangeDescriber.Describe(record.Deps, plan.Deps);
        if (changes.Count > 0)
        {
            throw new MlopsException(
                ErrorCodes.NotReproduced,
                new SourceLocation(_spec.LockFile),
                $"{lockName} is out of date for {step.Target()}: {string.Join("; ", changes)}",
                $"Build without MlopsVerify and commit the updated {lockName}");
        }
    }

    private void CommitOutputs(IReadOnlyDictionary<string, string> outputs)
    {
        foreach (var (fileName, temporary) in outputs)
        {
            if (File.Exists(temporary))
            {
                IO.AtomicFile.Commit(temporary, _spec.PathOf(fileName));
            }
        }
    }

    private void RecordStage(StepName step, StageRecord? record)
    {
        var lockFile = LockFile.Load(_spec.LockFile);
        lockFile.Project = Path.GetFileName(_spec.ProjectFile);
        if (record is null)
        {
            lockFile.Stages.Remove(step.Key());
        }
        else
        {
            lockFile.Stages[step.Key()] = record;
        }

        lockFile.Save(_spec.LockFile);
    }

    private string? OutputHash(string path) => File.Exists(path) ? _hashes.Get(path).Hash : null;

    private static string AtomicTemporary(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return IO.AtomicFile.TemporaryPathFor(path);
    }

    private static void DeleteAll(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            File.Delete(path);
        }
    }

    private static string Short(string? hash) => hash is null ? "none" : hash[..Math.Min(12, hash.Length)];

    /// <summary>The alias's version and model hash for the gate step's fingerprint, resolved once per run.</summary>
    private string BaselineIdentity(string alias) => Baseline(alias)?.Identity ?? "none";

    private BaselineModel? Baseline(string alias)
    {
        if (!_resolvedBaselines.TryGetValue(alias, out var baseline))
        {
            _resolvedBaselines[alias] = baseline = _baselines!.Resolve(_spec, alias);
        }

        return baseline;
    }

    /// <summary>The provider with the aliases this run already resolved, so the plan and the gate see the same version.</summary>
    private sealed class ResolvedBaselines(IBaselineProvider inner, Dictionary<string, BaselineModel?> resolved) : IBaselineProvider
    {
        public BaselineModel? Resolve(ModelSpec spec, string alias) =>
            resolved.TryGetValue(alias, out var baseline) ? baseline : resolved[alias] = inner.Resolve(spec, alias);

        public void Score(ModelSpec spec, BaselineModel baseline, string predictionsPath) => inner.Score(spec, baseline, predictionsPath);
    }
}
