using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Api;

/// <summary><c>GET /api/v1/history</c>: the audit trail as <see cref="ResponseEvent"/>s, newest first, paged by id.</summary>
internal static class HistoryEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    // How far a page may read past rows the id cursor or the response filter leave out before it stops looking.
    private const int MaxScan = 100_000;

    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/history", QueryAsync)
            .WithSummary("Audit events, newest first; filters since, key, event, response, agent (on a manager: an id or *); paging limit with before or after (event ids).")
            .Produces<HistoryPage>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> QueryAsync(HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var q = request.Query;
        var limit = DefaultLimit;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {MaxLimit}");
        }

        long? before = null, after = null;
        if (q.TryGetValue("before", out var b))
        {
            if (!Paging.TryId(b, out var id))
            {
                return ApiProblems.BadRequest("before must be an event id (a whole number)");
            }

            before = id;
        }

        if (q.TryGetValue("after", out var a))
        {
            if (!Paging.TryId(a, out var id))
            {
                return ApiProblems.BadRequest("after must be an event id (a whole number)");
            }

            after = id;
        }

        if (before is not null && after is not null)
        {
            return ApiProblems.BadRequest("give before or after, not both");
        }

        DateTimeOffset? since = null;
        if (q.TryGetValue("since", out var s))
        {
            if (ParseSince(s.ToString(), services.Time) is not { } from)
            {
                return ApiProblems.BadRequest($"since '{s}' is neither a duration back from now (1h, 7d) nor an ISO 8601 time");
            }

            since = from;
        }

        var kind = q["event"].ToString();
        if (kind.Length > 0 && !ResponseEventKinds.All.Contains(kind))
        {
            return ApiProblems.BadRequest($"event '{kind}' is not one of {string.Join(", ", ResponseEventKinds.All)}");
        }

        var key = q["key"].ToString();
        var response = q["response"].ToString();
        bool Wanted(ResponseEvent e) =>
            (kind.Length == 0 || e.Event == kind) && (response.Length == 0 || e.Response == response) && (since is null || e.At >= since)
            && (key.Length == 0 || e.RKey == key || e.RKey?.Contains(key, StringComparison.Ordinal) == true || e.Keys.Contains(key, StringComparer.Ordinal));

        var agent = q["agent"].ToString();
        if (agent.Length > 0 && agent != ActiveEndpoints.LocalAgent)
        {
            if (agent != AllAgents && !Fleet.FleetNames.IsAgentId(agent))
            {
                return ApiProblems.BadRequest($"agent must be an agent id, {AllAgents} (every agent) or '{ActiveEndpoints.LocalAgent}'");
            }

            if (services.Fleet is not { } fleet)
            {
                return ApiProblems.BadRequest("this host is not a fleet manager: it has only its own history (no agent, or agent=local)");
            }

            var only = agent == AllAgents ? null : agent;
            var agentPage = await PageAsync(
                (position, ct) => ReadFleetAfterAsync(fleet, position, ct),
                async (window, ct) =>
                {
                    var rows = await fleet.QueryHistoryAsync(new Fleet.View.FleetHistoryQuery(since, only, key.Length == 0 ? null : key,
                        StoreEvent(kind), window, BeforeId: before ?? long.MaxValue), ct);
                    return ([.. rows.Select(Fleet.View.FleetEventSource.ToEvent)], rows.Count);
                },
                after, limit, e => (only is null || e.Agent == only) && Wanted(e), cancellationToken);
            return Page(agentPage, after);
        }

        // The store filters by time, key and event; the id cursor and the response are applied here.
        var page = await PageAsync(
            (position, ct) => services.Feed.ReadAfterAsync(position, 256, ct),
            async (window, ct) =>
            {
                var rows = await services.Store.QueryAuditAsync(new AuditQuery(since, key.Length == 0 ? null : key, StoreEvent(kind), window), ct);
                return ([.. rows.Where(r => before is null || r.Id < before).Select(r => ResponseEventMapper.FromAudit(r))], rows.Count);
            },
            after, limit, Wanted, cancellationToken);
        return Page(page, after);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<HistoryPage> Page(List<ResponseEvent> page, long? after) =>
        TypedResults.Ok(new HistoryPage(page, page.Count > 0 ? page[^1].Id : null, page.Count > 0 ? page[0].Id : after));

    /// <summary>The stored event an event kind is kept as (refusals and rate limits are skips with a reason).</summary>
    private static string? StoreEvent(string kind) =>
        kind is ResponseEventKinds.Refused or ResponseEventKinds.RateLimited ? AuditEvents.Skip : kind.Length == 0 ? null : kind;

    /// <summary>
    /// One page of a log, newest first. Forward (<paramref name="after"/>): the oldest matches after the cursor, read
    /// in batches, so following next_after never skips one. Backward: the newest <c>window</c> candidates (those
    /// before the cursor) of the newest <c>window</c> rows read, with a window that grows until the page is full or fewer rows than
    /// asked for came back (the log's start).
    /// </summary>
    private static async Task<List<ResponseEvent>> PageAsync(
        Func<long, CancellationToken, ValueTask<IReadOnlyList<ResponseEvent>>> readAfter,
        Func<int, CancellationToken, Task<(List<ResponseEvent> Candidates, int Rows)>> readBack,
        long? after, int limit, Func<ResponseEvent, bool> wanted, CancellationToken cancellationToken)
    {
        List<ResponseEvent> page = [];
        if (after is { } position)
        {
            var scanned = 0;
            while (page.Count < limit && scanned < MaxScan)
            {
                var batch = await readAfter(position, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                scanned += batch.Count;
                position = batch[^1].Id;
                page.AddRange(batch.Where(wanted).Take(limit - page.Count));
            }

            page.Reverse();
            return page;
        }

        var window = limit + 1;
        while (true)
        {
            var (candidates, rows) = await readBack(window, cancellationToken);
            page = [.. candidates.Where(wanted).Take(limit)];
            if (page.Count >= limit || rows < window || window >= MaxScan)
            {
                return page;
            }

            window = Math.Min(window * 4, MaxScan);
        }
    }

    /// <summary>The <c>agent</c> filter's name for every agent.</summary>
    public const string AllAgents = "*";

    /// <summary>
    /// On a manager, the agents' history (the fleet view), as events: ids there are the fleet history's, a sequence of
    /// its own, so a page holds agents' events only and the cursors page through them; this host's own are agent=local.
    /// </summary>
    private static async ValueTask<IReadOnlyList<ResponseEvent>> ReadFleetAfterAsync(Fleet.View.FleetStore fleet, long position, CancellationToken cancellationToken) =>
        [.. (await fleet.ReadHistoryAfterAsync(position, 256, cancellationToken)).Select(Fleet.View.FleetEventSource.ToEvent)];

    internal static DateTimeOffset? ParseSince(string text, TimeProvider time)
    {
        if (Config.Settings.DurationSyntax.TryParse(text, out var back, out _))
        {
            return time.GetUtcNow() - back;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>A page of <c>GET /api/v1/history</c>: <c>next_before</c> pages back, <c>next_after</c> asks for what is newer.</summary>
    public sealed record HistoryPage(IReadOnlyList<ResponseEvent> Items, long? NextBefore, long? NextAfter);
}
