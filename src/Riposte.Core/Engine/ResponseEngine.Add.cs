using Microsoft.Extensions.Logging;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;
using ControlLine = Riposte.Protocol.Execd.ControlLine;

namespace Riposte.Engine;

public sealed partial class ResponseEngine
{
    private const string RestartWazuh = "restart-wazuh";

    /// <summary>A request as it arrived: parsed, resolved, and its place in its key's line.</summary>
    private sealed record Admission(ExecdMessage? Message, string? ParseError, ArCommand? Command, ArrivalOrder.Turn? Turn);

    private async Task<ExecOutcome> ExecuteCoreAsync(ExecRequest request, Admission admission, CancellationToken cancellationToken)
    {
        if (request.DecisionKey is { } decision && await _store.IsDecidedAsync(decision, cancellationToken).ConfigureAwait(false))
        {
            // Fully handled before a restart (the position after this input was not saved yet): nothing to do again.
            return new ExecOutcome(ExecResult.Duplicate, null, $"already handled: {decision}");
        }

        var (outcome, decided) = await DecideAndRunAsync(request, admission, cancellationToken).ConfigureAwait(false);
        if (outcome.Result != ExecResult.Interrupted && !decided && request.DecisionKey is { } key)
        {
            // After the outcome's own record: a crash in between runs the request again on replay (at least once), never
            // skips it. Adds that reach the timeout list record their decision in the same transaction as the intent.
            await _store.RecordDecisionAsync(key, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<(ExecOutcome Outcome, bool Decided)> DecideAndRunAsync(ExecRequest request, Admission admission, CancellationToken cancellationToken)
    {
        if (admission.Message is not { } message)
        {
            _logger.LogError("{Error}", admission.ParseError);
            await AuditAsync("failure", null, "", null, null, [], null, admission.ParseError, request.Source).ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.Rejected, null, admission.ParseError!), false);
        }

        var name = message.CommandName;
        if (name == RestartWazuh)
        {
            const string detail = "'restart-wazuh' asks execd to restart Wazuh (restart.sh); Riposte does not restart Wazuh";
            _logger.LogWarning("{Detail}", detail);
            await AuditAsync("skip", null, "", name, null, [], null, detail, request.Source, message.Rule).ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.Rejected, null, detail), false);
        }

        if (admission.Command is not { } command)
        {
            var error = $"(1311): Invalid command name '{name}' provided.";
            _logger.LogError("{Error}", error);
            await AuditAsync("failure", null, "", name, message.AlertId, [], null, error, request.Source, message.Rule).ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.Rejected, null, error), false);
        }

        if (command.ProgramPath.Length == 0)
        {
            var detail = $"Active response command not present for '{name}': not using it on this system";
            _logger.LogDebug("{Detail}", detail);
            await AuditAsync("skip", null, "", name, message.AlertId, [], null, detail, request.Source, message.Rule).ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.ProgramMissing, null, detail), false);
        }

        var policy = PolicyFor(command.Name);
        if (_guard.WhyRefused(command.ProgramPath, message.TargetIp, message.DstUser, policy) is { } refusal)
        {
            var detail = $"{SkipDetails.Refused}{command.Name}: {refusal}";
            _logger.LogWarning("{Detail}", detail);
            Log.Write($"Refused {command.ProgramPath}: {refusal}.");
            await AuditAsync("skip", null, command.ProgramPath, command.Name, message.AlertId, message.TargetIp is { } refused ? [refused] : [], null, detail,
                request.Source, message.Rule).ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.Refused, null, detail), false);
        }

        if (policy.DryRun)
        {
            var detail = $"dry run: would run {command.ProgramPath} ({command.Name}) for {message.TargetIp ?? message.DstUser ?? "this alert"}";
            Log.Write($"Dry run: {command.ProgramPath} ({command.Name}) not run for {message.TargetIp ?? message.DstUser ?? "this alert"}.");
            await AuditAsync("dry-run", null, command.ProgramPath, command.Name, message.AlertId, message.TargetIp is { } ip ? [ip] : [], null, detail, request.Source, message.Rule)
                .ConfigureAwait(false);
            return (new ExecOutcome(ExecResult.DryRun, null, detail), false);
        }

        // Its turn first, then a slot: a request waiting behind its own key holds no slot that others could use.
        if (admission.Turn is { } turn)
        {
            await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var run = new AddRun(this, message, command, policy, request.Source, request.DecisionKey);
        try
        {
            // From here on the program runs to its end or its time limit; only the engine's own disposal cuts it short.
            var running = _stopping.Token;
            var outcome = FastPathFor(command.ProgramPath) is { } batcher && message.TargetIp is { } target && Matching.IpText.IsNumericIp(target)
                ? await run.ExecuteFastAsync(batcher, target, running).ConfigureAwait(false)
                : await run.ExecuteAsync(running).ConfigureAwait(false);
            return (outcome, run.DecisionRecorded);
        }
        finally
        {
            run.ReleaseKey();
            _slots.Release();
        }
    }

    /// <summary>One add: the program's run, the decision taken when its keys arrive, and what is recorded.</summary>
    private sealed partial class AddRun(ResponseEngine engine, ExecdMessage message, ArCommand command, Config.Settings.ResponsePolicy policy, string source,
        string? decisionKey)
    {
        private bool _rateLimited;
        private Task _delivered = Task.CompletedTask;
        private IDisposable? _keyLock;
        private ControlLine? _control;
        private string? _rkey;
        private TimeoutEntry? _entry;
        private bool _aborted;
        private long _timeout;

        public async Task<ExecOutcome> ExecuteAsync(CancellationToken cancellationToken)
        {
            message.PrepareForProgram(command.ProgramPath);
            var add = message.With("add");
            if (engine._logger.IsEnabled(LogLevel.Debug))
            {
                engine._logger.LogDebug("Executing command '{Program} {Message}'", command.ProgramPath, System.Text.Encoding.UTF8.GetString(add));
            }
            var result = await engine._runner.RunAddAsync(engine.Invocation(command.ProgramPath), add, DecideAsync, engine._options.Limits, cancellationToken,
                DeliveredAsync).ConfigureAwait(false);
            return await RecordAsync(result).ConfigureAwait(false);
        }

        public void ReleaseKey() => _keyLock?.Dispose();

        /// <summary>
        /// The continue is in the program's pipe: the block will be applied even if Riposte dies now, so recovery need
        /// not run the add again. Only a crash between the intent and this mark leaves the entry pending. The mark is
        /// written beside the program's run, not in its way; the run's own record waits for it.
        /// </summary>
        private ValueTask DeliveredAsync()
        {
            if (_entry is not null && !_aborted && !_rateLimited)
            {
                _delivered = MarkDeliveredAsync(_entry.RKey);
            }

            return ValueTask.CompletedTask;
        }

        private async Task MarkDeliveredAsync(string rkey)
        {
            try
            {
                await engine._store.MarkDeliveredAsync(rkey, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or StateStoreException or ObjectDisposedException)
            {
                // Harmless: the entry stays pending and recovery re-runs an idempotent add.
                engine._logger.LogWarning(ex, "Could not mark {RKey} delivered", rkey);
            }
        }

        /// <summary>True once the request's decision went into the same transaction as its intent or its abort.</summary>
        public bool DecisionRecorded { get; private set; }

        private async ValueTask<ReadOnlyMemory<byte>?> DecideAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
        {
            _control = ControlLine.Parse(line.Span);
            _rkey = _control.RKey(command.ProgramPath, out var truncated);
            if (truncated)
            {
                engine._logger.LogWarning("Active response key exceeds maximum size (4096). Truncating keys.");
            }

            if (_control.Problem is not null)
            {
                engine._logger.LogWarning("Control line from {Program} gave no keys ({Problem}); its key is '{RKey}'", command.ProgramPath, _control.Problem, _rkey);
            }

            if (command.TimeoutSeconds == 0)
            {
                return message.With("continue");
            }

            _keyLock = await engine._locks.AcquireAsync(_rkey, cancellationToken).ConfigureAwait(false);
            var store = engine._store;
            var now = engine._time.GetUtcNow();
            var steps = engine._offenders.StepsFor(policy);
            var counter = steps.Count > 0 ? await store.GetOffenderAsync(_rkey, cancellationToken).ConfigureAwait(false) : null;
            var (timeout, newCounter, offense) = engine._offenders.Apply(_rkey, command.TimeoutSeconds, counter, now, steps);
            _timeout = timeout;
            if (offense > 1)
            {
                engine._logger.LogDebug("Repeated offender. Setting timeout to '{Timeout}s'", timeout);
            }

            var existing = await store.GetTimeoutAsync(_rkey, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                _aborted = true;
                await store.RecordAbortAsync(_rkey, now, timeout, offense, newCounter,
                    new AuditRecord(0, now, "abort", _rkey, command.ProgramPath, command.Name, message.AlertId, _control.Keys, null, 0, null, null,
                        $"already active: timer refreshed to {timeout}s, offense {offense}", source, message.Rule.Id, message.Rule.Level), decisionKey, cancellationToken).ConfigureAwait(false);
                DecisionRecorded = decisionKey is not null;
                engine._scheduler.Schedule(_rkey, now.AddSeconds(timeout));
                engine._logger.LogDebug("Command already received, updating time of addition to now.");
                return message.With("abort");
            }

            if (!engine._guard.TryTakeBlock(command.Name, policy))
            {
                // Over the cap: the program is told to abort, so it acts on nothing, and nothing is recorded as active.
                _rateLimited = true;
                return message.With("abort");
            }

            var delete = message.With("delete");
            _entry = new TimeoutEntry(_rkey, command.ProgramPath, delete, now, timeout, command.Name, message.AlertId, _control.Keys, EntryStatus.Pending, offense);

            // Intent first: if Riposte dies after the program was told to continue, the delete still runs on restart.
            await store.RecordAddIntentAsync(_entry, newCounter,
                new AuditRecord(0, now, "continue", _rkey, command.ProgramPath, command.Name, message.AlertId, _control.Keys, null, 0, null, null,
                    $"timeout {timeout}s, offense {offense}", source, message.Rule.Id, message.Rule.Level), decisionKey, cancellationToken).ConfigureAwait(false);
            DecisionRecorded = decisionKey is not null;
            engine._logger.LogDebug("Adding command '{Program}' to the timeout list, with a timeout of '{Timeout}s'.", command.ProgramPath, timeout);
            return message.With("continue");
        }

        private async Task<ExecOutcome> RecordAsync(ProgramRunResult result)
        {
            await _delivered.ConfigureAwait(false);
            var keys = _control?.Keys ?? [];
            if (_entry is not null)
            {
                // Active whatever the outcome: the program was told to continue, so its effect may be in place.
                var recorded = result.Outcome == RunOutcome.Completed ? "add" : result.Outcome is RunOutcome.ControlLineTimeout or RunOutcome.RunTimeout ? "kill" : "failure";
                await engine._store.RecordStatusAsync(_entry.RKey, EntryStatus.Active, new AuditRecord(0, engine._time.GetUtcNow(), recorded, _rkey,
                    command.ProgramPath, command.Name, message.AlertId, keys, result.ExitCode, (long)result.Elapsed.TotalMilliseconds, result.Stdout,
                    result.Stderr, result.Outcome == RunOutcome.Completed ? $"added to the timeout list for {_timeout}s" : Describe(result), source, message.Rule.Id, message.Rule.Level),
                    CancellationToken.None).ConfigureAwait(false);
                engine._scheduler.Schedule(_entry.RKey, _entry.ExpiresAt);
                if (result.Outcome == RunOutcome.Completed)
                {
                    return new ExecOutcome(ExecResult.Continued, _rkey, $"added to the timeout list for {_timeout}s");
                }
            }

            switch (result.Outcome)
            {
                case RunOutcome.Cancelled:
                    var cut = Describe(result);
                    engine._logger.LogWarning("{Program}: {Failure}", command.ProgramPath, cut);
                    if (_entry is null)
                    {
                        await engine.AuditAsync("kill", _rkey, command.ProgramPath, command.Name, message.AlertId, keys, result, cut, source, message.Rule).ConfigureAwait(false);
                    }

                    return new ExecOutcome(ExecResult.Interrupted, _rkey, cut);

                case RunOutcome.Completed when _rateLimited:
                    var capped = $"{SkipDetails.RateCapped}{command.Name} reached its cap of {policy.MaxNewPerMinute} new blocks per minute";
                    engine.Log.Write($"Rate limit: {command.ProgramPath} told to abort for '{_rkey}' ({capped}).");
                    await engine.AuditAsync("skip", _rkey, command.ProgramPath, command.Name, message.AlertId, keys, result, capped, source, message.Rule).ConfigureAwait(false);
                    return new ExecOutcome(ExecResult.RateLimited, _rkey, capped);

                case RunOutcome.Completed:
                    if (_aborted)
                    {
                        // The abort itself was recorded with the refresh, in the same transaction.
                        engine.Log.Write($"Aborted {command.ProgramPath}: '{_rkey}' is already active; its timer now ends in {_timeout}s.");
                        return new ExecOutcome(ExecResult.Aborted, _rkey, $"already active: timer refreshed to {_timeout}s");
                    }

                    await engine.AuditAsync("add", _rkey, command.ProgramPath, command.Name, message.AlertId, keys, result, "stateless", source, message.Rule).ConfigureAwait(false);
                    return new ExecOutcome(ExecResult.Continued, _rkey, "stateless");

                case RunOutcome.NoControlLine:
                    const string noKeys = "the program printed no keys: run once, not added to the timeout list";
                    engine._logger.LogDebug("Active response won't be added to timeout list. Message not received with alert keys from script '{Program}'", command.ProgramPath);
                    await engine.AuditAsync("add", null, command.ProgramPath, command.Name, message.AlertId, [], result, noKeys, source, message.Rule).ConfigureAwait(false);
                    return new ExecOutcome(ExecResult.NoKeys, null, noKeys);

                default:
                    var failure = Describe(result);
                    var kind = result.Outcome is RunOutcome.ControlLineTimeout or RunOutcome.RunTimeout ? "kill" : "failure";
                    engine._logger.LogError("{Program}: {Failure}", command.ProgramPath, failure);
                    engine.Log.Write($"{(kind == "kill" ? "Killed" : "Failed")} {command.ProgramPath}: {failure}");
                    if (_entry is null)
                    {
                        await engine.AuditAsync(kind, _rkey, command.ProgramPath, command.Name, message.AlertId, keys, result, failure, source, message.Rule).ConfigureAwait(false);
                    }

                    return new ExecOutcome(ExecResult.Failed, _rkey, failure);
            }
        }
    }

    internal static string Describe(ProgramRunResult result) => result.Outcome switch
    {
        RunOutcome.ControlLineTimeout => $"no control line within the time limit ({result.Elapsed.TotalSeconds:F1}s); killed (a program that reads stdin to EOF never answers)",
        RunOutcome.RunTimeout => $"still running after the time limit ({result.Elapsed.TotalSeconds:F1}s); killed",
        RunOutcome.SpawnFailed when result.Error?.StartsWith("in-process", StringComparison.Ordinal) == true => result.Error,
        RunOutcome.SpawnFailed => $"(1317): Could not launch command {result.Error}",
        RunOutcome.Cancelled => "cancelled (Riposte is stopping); killed",
        _ => result.Error ?? result.Outcome.ToString(),
    };
}
