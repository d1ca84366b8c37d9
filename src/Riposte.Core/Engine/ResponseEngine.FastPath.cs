using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Riposte.Backends;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.Protocol.Json;

namespace Riposte.Engine;

public sealed partial class ResponseEngine
{
    /// <summary>
    /// The in-process fast path for Riposte's own set-based blocking programs (<c>nft-drop</c>, <c>ipset-drop</c>):
    /// the same decision, state, audit and program-log lines as the spawned program, but the kernel change goes into
    /// a shared batch, so a flood costs one transaction instead of one process per address.
    /// </summary>
    private BlockBatcher? FastPathFor(string programPath) =>
        _options.SetBackends is { } sets && sets.TryGetValue(Path.GetFileName(programPath), out var set) && set.InProcess ? set.Batcher : null;

    /// <summary>
    /// Compares each of Riposte's own sets with the state's active entries for its program and repairs the kernel:
    /// re-adds what vanished (a firewall flush, a reboot) and removes what Riposte added that is no longer active.
    /// On start this is one transaction per set for everything that is active.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ReconcileReport>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var reports = new Dictionary<string, ReconcileReport>(StringComparer.Ordinal);
        if (_options.SetBackends is not { Count: > 0 } sets)
        {
            return reports;
        }

        var entries = await _store.ListTimeoutsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        foreach (var (program, set) in sets)
        {
            var desired = entries
                .Where(e => Path.GetFileName(e.Program) == program && e.Status != State.EntryStatus.Deleting)
                .SelectMany(e => e.Keys.Take(1).Select(k => new DesiredBlock(k, e.ExpiresAt > now ? Backstop(e.ExpiresAt - now) : null)))
                .Where(d => Matching.IpText.IsNumericIp(d.Target) || d.Target.Contains('/', StringComparison.Ordinal));
            try
            {
                var report = await new BlockReconciler(set.Backend).ReconcileAsync(desired, cancellationToken).ConfigureAwait(false);
                reports[program] = report;
                if (!report.InSync)
                {
                    var detail = $"{program}: re-added {report.AddedCount} missing, removed {report.RemovedCount} stale";
                    _logger.LogWarning("Reconciled {Detail}", detail);
                    Log.Write($"Reconciled {detail}.");
                    await AuditAsync("reconcile", null, $"{ArCommandTable.BinDirectory}/{program}", null, null, [.. report.Added.Concat(report.Removed).Take(100)],
                        null, detail, "reconcile").ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is BlockBackendException or IOException or InvalidOperationException)
            {
                _logger.LogError(ex, "Could not reconcile {Program}'s set", program);
            }
        }

        return reports;
    }

    /// <summary>
    /// The kernel's own element timeout is only a backstop for when Riposte is gone for good: it must outlast the
    /// block, or the element would vanish just before Riposte's delete and every delete would miss.
    /// </summary>
    private static TimeSpan Backstop(TimeSpan block) => block + TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, block.Ticks / 10));

    private sealed partial class AddRun
    {
        public async Task<ExecOutcome> ExecuteFastAsync(BlockBatcher batcher, string ip, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var log = engine.Log;
            var program = command.ProgramPath;
            message.PrepareForProgram(program);
            var add = message.With("add");
            log.WriteAs(program, "Starting");
            log.WriteAs(program, System.Text.Encoding.UTF8.GetString(add) + "\n");
            var keys = CheckKeysLine(Path.GetFileName(program), ip);
            log.WriteAs(program, System.Text.Encoding.UTF8.GetString(keys));
            var answer = await DecideAsync(keys, cancellationToken).ConfigureAwait(false);
            var answerBytes = answer!.Value.ToArray();
            log.WriteAs(program, System.Text.Encoding.UTF8.GetString(answerBytes) + "\n");

            string? error = null;
            if (_aborted || _rateLimited)
            {
                log.WriteAs(program, "Aborted");
            }
            else
            {
                try
                {
                    await batcher.SubmitAsync(BlockChange.Add(ip, _timeout > 0 ? Backstop(TimeSpan.FromSeconds(_timeout)) : null), cancellationToken).ConfigureAwait(false);
                    log.WriteAs(program, "Ended");
                }
                catch (Exception ex) when (ex is BlockBackendException or IOException or InvalidOperationException or FormatException)
                {
                    error = $"in-process {Path.GetFileName(program)} failed: {ex.Message}";
                    log.WriteAs(program, error);
                }
            }

            var result = new ProgramRunResult(error is null ? RunOutcome.Completed : RunOutcome.SpawnFailed, error is null ? 0 : 255, null, keys, false,
                answerBytes, "", "", false, Stopwatch.GetElapsedTime(started), error);
            return await RecordAsync(result).ConfigureAwait(false);
        }

        private static byte[] CheckKeysLine(string name, string ip)
        {
            var origin = new CJsonObject();
            origin.Add("name", name);
            origin.Add("module", "active-response");
            var parameters = new CJsonObject();
            parameters.Add("keys", new CJsonArray([new CJsonString(ip)]));
            var root = new CJsonObject();
            root.Add("version", new CJsonNumber(1));
            root.Add("origin", origin);
            root.Add("command", "check_keys");
            root.Add("parameters", parameters);
            return root.ToUtf8Bytes();
        }
    }

    private async Task<ProgramRunResult> DeleteFastAsync(BlockBatcher batcher, State.TimeoutEntry entry, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Log.WriteAs(entry.Program, "Starting");
        Log.WriteAs(entry.Program, System.Text.Encoding.UTF8.GetString(entry.DeleteMessage) + "\n");
        try
        {
            var changes = entry.Keys.Where(k => Matching.IpText.IsNumericIp(k) || k.Contains('/', StringComparison.Ordinal))
                .Select(BlockChange.Remove).ToList();
            await batcher.SubmitAsync(changes, cancellationToken).ConfigureAwait(false);
            Log.WriteAs(entry.Program, "Ended");
            return new ProgramRunResult(RunOutcome.Completed, 0, null, null, false, null, "", "", false, Stopwatch.GetElapsedTime(started), null);
        }
        catch (OperationCanceledException)
        {
            return new ProgramRunResult(RunOutcome.Cancelled, null, null, null, false, null, "", "", false, Stopwatch.GetElapsedTime(started), null);
        }
        catch (Exception ex) when (ex is BlockBackendException or IOException or InvalidOperationException or FormatException)
        {
            var error = $"in-process {Path.GetFileName(entry.Program)} failed: {ex.Message}";
            Log.WriteAs(entry.Program, error);
            return new ProgramRunResult(RunOutcome.SpawnFailed, 255, null, null, false, null, "", "", false, Stopwatch.GetElapsedTime(started), error);
        }
    }
}
