using Microsoft.Extensions.Logging;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Engine;

public sealed partial class ResponseEngine
{
    private enum DeleteReason
    {
        Timeout,
        Revoke,
        Shutdown,
    }

    private async Task<ExecOutcome> DeleteAsync(string rkey, DeleteReason reason, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var keyLock = await _locks.AcquireAsync(rkey, cancellationToken).ConfigureAwait(false);
            var entry = await _store.GetTimeoutAsync(rkey, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                return new ExecOutcome(ExecResult.Rejected, rkey, "not active");
            }

            var now = _time.GetUtcNow();
            if (reason == DeleteReason.Timeout && entry.Status != EntryStatus.Deleting && now <= entry.ExpiresAt)
            {
                // An abort refreshed the timer after this expiry was scheduled.
                _scheduler.Schedule(rkey, entry.ExpiresAt);
                return new ExecOutcome(ExecResult.Rejected, rkey, "not due yet");
            }

            if (reason != DeleteReason.Timeout)
            {
                // An overdue entry is deleted again after a crash anyway; an early delete (revoke, shutdown) must say so.
                await _store.SetStatusAsync(rkey, EntryStatus.Deleting, cancellationToken).ConfigureAwait(false);
            }
            var why = reason switch
            {
                DeleteReason.Timeout => $"after a timeout of '{entry.DurationSeconds}s'",
                DeleteReason.Revoke => "on request (riposte revoke)",
                _ => "at shutdown",
            };
            _logger.LogDebug("Executing command '{Program}' {Why}", entry.Program, why);
            var result = FastPathFor(entry.Program) is { } batcher
                ? await DeleteFastAsync(batcher, entry, cancellationToken).ConfigureAwait(false)
                : await _runner.RunDeleteAsync(Invocation(entry.Program), entry.DeleteMessage, _options.Limits, cancellationToken).ConfigureAwait(false);
            var @event = reason == DeleteReason.Revoke ? "revoke" : "delete";
            if (result.Outcome == RunOutcome.Completed)
            {
                _deleteFailures.TryRemove(rkey, out _);
                Log.Write($"Deleted '{rkey}' {why}.");
                var rule = RuleOf(entry);
                await _store.CompleteDeleteAsync(rkey, new AuditRecord(0, _time.GetUtcNow(), @event, rkey, entry.Program, entry.ArName, entry.AlertId,
                    entry.Keys, result.ExitCode, (long)result.Elapsed.TotalMilliseconds, result.Stdout, result.Stderr, why, null, rule.Id, rule.Level), CancellationToken.None).ConfigureAwait(false);
                return new ExecOutcome(ExecResult.Continued, rkey, $"deleted {why}");
            }

            return await DeleteFailedAsync(entry, result, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<ExecOutcome> DeleteFailedAsync(TimeoutEntry entry, ProgramRunResult result, CancellationToken cancellationToken)
    {
        var failure = Describe(result);
        if (result.Outcome == RunOutcome.Cancelled)
        {
            // Stopping: leave the entry for the next start.
            await _store.SetStatusAsync(entry.RKey, EntryStatus.Active, cancellationToken).ConfigureAwait(false);
            return new ExecOutcome(ExecResult.Failed, entry.RKey, failure);
        }

        var attempts = _deleteFailures.AddOrUpdate(entry.RKey, 1, (_, n) => n + 1);
        _logger.LogError("Delete of {RKey} failed (attempt {Attempt}/{Max}): {Failure}", entry.RKey, attempts, _options.DeleteAttempts, failure);
        Log.Write($"Delete of '{entry.RKey}' failed (attempt {attempts} of {_options.DeleteAttempts}): {failure}");
        var rule = RuleOf(entry);
        var audit = new AuditRecord(0, _time.GetUtcNow(), "failure", entry.RKey, entry.Program, entry.ArName, entry.AlertId, entry.Keys,
            result.ExitCode, (long)result.Elapsed.TotalMilliseconds, result.Stdout, result.Stderr, $"delete failed (attempt {attempts}): {failure}", null, rule.Id, rule.Level);
        if (attempts >= _options.DeleteAttempts)
        {
            _deleteFailures.TryRemove(entry.RKey, out _);
            await _store.CompleteDeleteAsync(entry.RKey, audit with { Detail = $"delete gave up after {attempts} attempts: {failure}" }, cancellationToken).ConfigureAwait(false);
            return new ExecOutcome(ExecResult.Failed, entry.RKey, $"gave up: {failure}");
        }

        await _store.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
        await _store.SetStatusAsync(entry.RKey, EntryStatus.Active, cancellationToken).ConfigureAwait(false);
        _scheduler.Schedule(entry.RKey, _time.GetUtcNow() + _options.DeleteRetryDelay);
        return new ExecOutcome(ExecResult.Failed, entry.RKey, failure);
    }

    /// <summary>The rule that created an entry, read back from its stored delete message (which carries the alert).</summary>
    private static AlertRule RuleOf(TimeoutEntry entry) => AlertRule.OfMessage(entry.DeleteMessage);
}
