using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.Cli.Events;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary>What <c>history --follow</c> shows: the filters of <c>history</c>, applied to old and new events alike.</summary>
internal sealed record HistoryFilter(DateTimeOffset? Since, string? Key, string? Event)
{
    /// <summary>True when <paramref name="e"/> passes; the key as the audit query matches it (within the rkey, or a whole key).</summary>
    public bool Matches(ResponseEvent e) =>
        (Key is null || (e.RKey?.Contains(Key, StringComparison.Ordinal) ?? false) || e.Keys.Contains(Key))
        && (Event is null || e.Event == Event || AuditEventOf(e) == Event);

    // --event skip still finds what the outward vocabulary names refused or rate-limited.
    private static string AuditEventOf(ResponseEvent e) =>
        e.Event is ResponseEventKinds.Refused or ResponseEventKinds.RateLimited ? AuditEvents.Skip : e.Event;
}

/// <summary>
/// <c>riposte history --follow</c>: like <c>journalctl -f</c>, the last events then each new one as the daemon records
/// it, read from the state file (read-only; the feed polls it) until Ctrl-C or SIGTERM, which end it with status 0.
/// </summary>
internal static class HistoryFollow
{
    private static readonly TimeSpan StateWait = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(RiposteHome layout, HistoryFilter filter, int last, bool json, CliIo io, CancellationToken cancellationToken)
    {
        using var stop = new StopSignals(cancellationToken);
        var color = !json && EventText.ColorWanted(io);
        try
        {
            if (!await WaitForStateAsync(layout, io, stop.Token))
            {
                return ExitCodes.Ok;
            }

            await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, stop.Token);
            using var feed = new ResponseEventFeed(store, TimeProvider.System);
            // The newest id first: the backlog stops there and the follow starts after it, so no event is shown twice or missed.
            var newest = await feed.LatestIdAsync(stop.Token);
            foreach (var e in await BacklogAsync(store, filter, last, newest, stop.Token))
            {
                Write(io, e, json, color);
            }

            await foreach (var e in feed.FollowAsync(newest, stop.Token))
            {
                if (filter.Matches(e))
                {
                    Write(io, e, json, color);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsStopping)
        {
        }

        return ExitCodes.Ok;
    }

    /// <summary>The last <paramref name="last"/> events up to <paramref name="newest"/> that pass <paramref name="filter"/>, oldest first.</summary>
    private static async Task<IReadOnlyList<ResponseEvent>> BacklogAsync(SqliteStateStore store, HistoryFilter filter, int last, long newest,
        CancellationToken cancellationToken)
    {
        if (last <= 0)
        {
            return [];
        }

        // refused and rate-limited are skip rows in the audit trail: ask for skips, keep the kind asked for.
        var auditEvent = filter.Event is ResponseEventKinds.Refused or ResponseEventKinds.RateLimited ? AuditEvents.Skip : filter.Event;
        var limit = auditEvent == filter.Event ? last : Math.Max(last, 1000);
        var rows = await store.QueryAuditAsync(new AuditQuery(filter.Since, filter.Key, auditEvent, limit), cancellationToken);
        return [.. rows.Where(r => r.Id <= newest).Select(r => ResponseEventMapper.FromAudit(r)).Where(filter.Matches)
            .Take(last).OrderBy(e => e.Id)];
    }

    /// <summary>Waits for a daemon that has not created its state yet; false when stopped first.</summary>
    private static async Task<bool> WaitForStateAsync(RiposteHome layout, CliIo io, CancellationToken cancellationToken)
    {
        var told = false;
        while (!SqliteStateStore.Exists(layout.StatePath))
        {
            if (!told)
            {
                io.Error.WriteLine($"no state at {layout.StatePath} yet; waiting for `riposte serve` to create it");
                if (layout.FallbackHint is { } hint)
                {
                    io.Error.WriteLine(hint);
                }

                told = true;
            }

            try
            {
                await Task.Delay(StateWait, TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    private static void Write(CliIo io, ResponseEvent e, bool json, bool color)
    {
        io.Out.Write(json ? JsonSerializer.Serialize(e, EventJson.Full.ResponseEvent) : EventText.Format(e, color));
        io.Out.Write('\n');
        // A pipe (| grep, | jq) sees each event as it happens.
        io.Out.Flush();
    }
}
