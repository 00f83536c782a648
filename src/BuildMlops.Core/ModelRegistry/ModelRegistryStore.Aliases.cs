using System.Text;
using BuildMlops.Diagnostics;
using BuildMlops.Repository;

namespace BuildMlops.ModelRegistry;

// Alias moves and the audit log: promote, rollback, history, and the swap every move goes through.
public sealed partial class ModelRegistryStore
{
    /// <summary>
    /// Points <paramref name="alias"/> at a version, after checking every file of the version still hashes as
    /// recorded (BM8004 otherwise). A version whose gates failed is refused (BM8005) unless
    /// <paramref name="force"/> is set and a reason given; the audit log records the move, the reason and
    /// the override. When another move of the alias wins the race, the promotion is retried on the new state.
    /// </summary>
    public async Task<AliasMove> PromoteAsync(string model, string versionOrAlias, string alias, string? reason, bool force, CancellationToken ct)
    {
        RequireModel(model);
        RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model)));
        var target = await RequireAsync(model, versionOrAlias, ct);
        var why = reason?.Trim() ?? "";
        if (!target.Gates.Passed)
        {
            var where = _storage.Where(RegistryKeys.VersionFile(model, target.Version, RegistryKeys.VersionManifest));
            if (!force)
            {
                throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"version {target.Version} of {model} failed its gates ({string.Join("; ", target.Gates.DescribeFailures())}), so it is not promoted to '{alias}'", "Promote a version whose gates passed, or override with --force and a --reason, which the audit log records");
            }

            if (why.Length == 0)
            {
                throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"promoting version {target.Version} of {model}, whose gates failed, needs a reason", "Say why with --reason \"...\"; it is recorded in the audit log");
            }
        }

        await VerifyAsync(target, ct);
        return await MoveAsync(model, alias, target, AuditEvent.Promote, why, forced: !target.Gates.Passed, expectedEvent: null, ct);
    }

    /// <summary>
    /// Moves <paramref name="alias"/> back to the version it pointed at before its last move (as the audit
    /// log records it). BM8003 for an unknown alias, BM8005 when it has never moved or no reason is given,
    /// BM8008 when another move of the alias happens at the same moment (nothing is retried: the alias's
    /// "last move" has changed, so the caller should look again).
    /// </summary>
    public async Task<AliasMove> RollbackAsync(string model, string alias, string reason, CancellationToken ct)
    {
        RequireModel(model);
        RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model)));
        if ((await ReadAliasesAsync(model, ct)).Table[alias] is not { } current)
        {
            await RequireAsync(model, alias, ct); // BM8001 or BM8003, with what there is
            throw new InvalidOperationException("unreachable: the alias was found after all");
        }

        var where = _storage.Where(RegistryKeys.Aliases(model));
        if (reason.Trim().Length == 0)
        {
            throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"rolling back '{alias}' of {model} needs a reason", "Say why with --reason \"...\"; it is recorded in the audit log");
        }

        var last = await ReadEventAsync(model, current.Event, ct)
            ?? throw RegistryJson.Corrupt(where, $"alias '{alias}' of {model} was moved by audit event {current.Event}, which is not in the audit log");
        if (last.From is not { } previous)
        {
            throw new MlopsException(ErrorCodes.AliasMoveRefused, where, $"'{alias}' of {model} has nothing to roll back to: event {last.Sequence} created it at version {last.To}, and it has not moved since", "Promote the version you want instead: mlops registry promote");
        }

        var target = await RequireAsync(model, previous.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        await VerifyAsync(target, ct);
        return await MoveAsync(model, alias, target, AuditEvent.Rollback, reason.Trim(), forced: false, expectedEvent: current.Event, ct);
    }

    /// <summary>
    /// The audit log of a model (or of one alias), oldest first, each event marked whether it took effect.
    /// BM8001 for an unknown model; BM8003 when the alias has neither a state nor an event.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(string model, string? alias, CancellationToken ct)
    {
        RequireModel(model);
        await RequireModelExistsAsync(model, ct);
        var events = new Dictionary<long, AuditEvent>();
        var last = await HighestEventAsync(model, ct);
        for (var sequence = 1L; sequence <= last; sequence++)
        {
            if (await ReadEventAsync(model, sequence, ct) is { } found)
            {
                events[sequence] = found;
            }
        }

        // An event took effect if it is on the chain from an alias's current state back through previous events.
        var applied = new HashSet<long>();
        foreach (var state in await ListAliasesAsync(model, ct))
        {
            for (long? sequence = state.Event; sequence is { } current && events.TryGetValue(current, out var step) && applied.Add(current); sequence = step.PreviousEvent)
            {
            }
        }

        var history = events.Values
            .Where(found => alias is null || found.Alias == alias)
            .OrderBy(found => found.Sequence)
            .Select(found => found with { Applied = applied.Contains(found.Sequence) })
            .ToList();
        if (alias is not null && history.Count == 0)
        {
            await RequireAsync(model, RegistryNames.RequireAlias(alias, _storage.Where(RegistryKeys.Aliases(model))), ct); // BM8003 with the aliases there are
        }

        return history;
    }

    /// <summary>
    /// One alias move: append the audit event (the intent), then swap the alias table from the state read
    /// to one with the alias moved. When the swap loses because another alias of the model moved, the same
    /// event is tried again on the new table; when this alias itself moved, a promotion decides again from
    /// its new state (the first event stays in the log, not applied), and a rollback
    /// (<paramref name="expectedEvent"/> set) stops with BM8008, since its target depended on the old state.
    /// </summary>
    private async Task<AliasMove> MoveAsync(string model, string alias, RegisteredVersion target, string action, string why, bool forced, long? expectedEvent, CancellationToken ct)
    {
        var who = _who ??= GitInfo.Who(_repositoryRoot);
        AuditEvent? recorded = null;
        for (var attempt = 1; attempt <= MaxAliasAttempts; attempt++)
        {
            var (table, etag) = await ReadAliasesAsync(model, ct);
            var current = table[alias];
            if (recorded is null || current?.Event != recorded.PreviousEvent)
            {
                if (expectedEvent is not null && current?.Event != expectedEvent)
                {
                    throw Conflict(model, alias);
                }

                if (current?.Version == target.Version)
                {
                    _log.Important($"'{alias}' of {model} already points at version {target.Version}; nothing moved");
                    return new AliasMove(model, alias, target.Version, target.Version, null);
                }

                if (recorded is not null)
                {
                    _log.Message($"'{alias}' of {model} was moved by someone else at the same moment; deciding again on its new state");
                }

                recorded = await AppendEventAsync(model, sequence => new AuditEvent
                {
                    Sequence = sequence,
                    Id = Guid.NewGuid().ToString("N"),
                    Model = model,
                    Alias = alias,
                    Action = action,
                    From = current?.Version,
                    To = target.Version,
                    PreviousEvent = current?.Event,
                    Who = who,
                    When = DateTimeOffset.UtcNow,
                    Why = why,
                    Forced = forced,
                    GatesPassed = target.Gates.Passed,
                    Machine = Environment.MachineName,
                }, ct);
            }

            var next = Encoding.UTF8.GetBytes(table.With(new AliasState { Model = model, Alias = alias, Version = target.Version, Event = recorded.Sequence, MovedAt = recorded.When, MovedBy = who }).ToJson());
            var key = RegistryKeys.Aliases(model);
            if (etag is null ? await _storage.CreateAsync(key, next, ct) : await _storage.ReplaceAsync(key, next, etag, ct))
            {
                var from = current is null ? "" : $"from version {current.Version} ";
                _log.Important($"{(action == AuditEvent.Rollback ? "rolled back" : "moved")} '{alias}' of {model} {from}to version {target.Version}{(forced ? " (forced past failed gates)" : "")}; audit event {recorded.Sequence} ({Location})");
                return new AliasMove(model, alias, current?.Version, target.Version, recorded with { Applied = true });
            }
        }

        throw Conflict(model, alias);
    }

    /// <summary>Writes an audit event under the next free sequence number.</summary>
    private async Task<AuditEvent> AppendEventAsync(string model, Func<long, AuditEvent> create, CancellationToken ct)
    {
        var sequence = await HighestEventAsync(model, ct) + 1;
        for (var attempt = 0; attempt < MaxClaims; attempt++, sequence++)
        {
            var candidate = create(sequence);
            if (await _storage.CreateAsync(RegistryKeys.AuditEvent(model, sequence), Encoding.UTF8.GetBytes(candidate.ToJson()), ct))
            {
                return candidate;
            }
        }

        throw new MlopsException(ErrorCodes.RegistryConflict, _storage.Where(RegistryKeys.Audit(model)), $"no free audit sequence number of {model} could be claimed in {MaxClaims} tries", "Try again");
    }
}
