using Microsoft.Extensions.Logging;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Engine;

public sealed partial class ResponseEngine
{
    /// <summary>
    /// A pending entry whose time passed while the engine was down: it is not applied late, only undone (its delete is
    /// overdue), and the audit trail says so, so an operator sees why the block never took effect.
    /// </summary>
    private async Task LapseAsync(string rkey, CancellationToken cancellationToken)
    {
        var entry = await _store.GetTimeoutAsync(rkey, cancellationToken).ConfigureAwait(false);
        await _store.SetStatusAsync(rkey, EntryStatus.Active, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return;
        }

        Log.Write($"Not re-applying '{rkey}': Riposte stopped before {entry.Program} had confirmed its add, and its time ran out meanwhile.");
        await AuditAsync(AuditEvents.Lapsed, rkey, entry.Program, entry.ArName, entry.AlertId, entry.Keys, null,
            $"Riposte stopped before the program confirmed its add, and the block's time ({entry.DurationSeconds}s) ran out meanwhile: undone, not applied late",
            "recovery", AlertRule.OfMessage(entry.DeleteMessage)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a pending entry's add again, answering <c>continue</c>, and marks it active whatever the outcome (its delete
    /// runs either way). The add message is the stored delete message with its command put back.
    /// </summary>
    private async Task ReapplyAsync(string rkey, CancellationToken cancellationToken)
    {
        var entry = await _store.GetTimeoutAsync(rkey, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return;
        }

        if (FastPathFor(entry.Program) is not null || !ExecdMessage.TryParse(entry.DeleteMessage, out var message, out _))
        {
            // In-process sets are refilled from the state by reconciliation; an unreadable message cannot be re-run.
            await _store.SetStatusAsync(rkey, EntryStatus.Active, cancellationToken).ConfigureAwait(false);
            return;
        }

        var add = message!.With("add");
        ReadOnlyMemory<byte> proceed = message.With("continue");
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ProgramRunResult result;
        try
        {
            Log.Write($"Re-applying '{rkey}': Riposte stopped before {entry.Program} had confirmed its add.");
            result = await _runner.RunAddAsync(Invocation(entry.Program), add, (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(proceed), _options.Limits,
                _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }

        var completed = result.Outcome == RunOutcome.Completed;
        var detail = completed ? "re-applied after a restart (the engine stopped before the program had confirmed the add)" : $"re-apply failed: {Describe(result)}";
        if (!completed)
        {
            _logger.LogError("{Program}: {Detail}", entry.Program, detail);
        }

        var rule = RuleOf(entry);
        await _store.RecordStatusAsync(rkey, EntryStatus.Active, new AuditRecord(0, _time.GetUtcNow(), completed ? "add" : "failure", rkey, entry.Program,
            entry.ArName, entry.AlertId, entry.Keys, result.ExitCode, (long)result.Elapsed.TotalMilliseconds, result.Stdout, result.Stderr, detail, "recovery",
            rule.Id, rule.Level),
            CancellationToken.None).ConfigureAwait(false);
    }
}
