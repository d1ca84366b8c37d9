using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Riposte.State;

namespace Riposte.Cli.Api;

/// <summary><c>/api/v1/active</c>: the timeout list (what is blocked now and until when), and revoking an entry.</summary>
internal static class ActiveEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/active", ListAsync).WithSummary("The active responses (timeout entries); filters key, response; paging limit, offset.")
            .Produces<ActivePage>().ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapDelete("/active/{rkey}", RevokeAsync)
            .WithSummary("Revoke: run the delete now and forget the entry (an rkey, or a key such as an address); on a manager, agent=ID sends the revoke to that agent.")
            .Produces<RevokeReply>().Produces<RevokeSent>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        if (Paging.Read(request, DefaultLimit, MaxLimit) is not { } paging)
        {
            return Paging.Invalid(MaxLimit);
        }

        var key = request.Query["key"].ToString();
        var response = request.Query["response"].ToString();
        var now = services.Time.GetUtcNow();
        var agent = request.Query["agent"].ToString();
        var all = new List<ActiveEntry>();
        if (agent.Length == 0 || agent == LocalAgent)
        {
            all.AddRange((await services.Store.ListTimeoutsAsync(cancellationToken)).Select(e => ActiveEntry.From(e, now)));
        }

        if (services.Fleet is { } fleet && agent != LocalAgent)
        {
            // On a manager: what each agent reported active, with its agent (revoked there with `riposte revoke --agent`).
            all.AddRange((await fleet.ListActiveAsync(agent.Length == 0 ? null : agent, cancellationToken)).Select(e => ActiveEntry.From(e, now)));
        }

        var entries = all
            .Where(e => key.Length == 0 || e.Rkey == key || e.Keys.Contains(key, StringComparer.Ordinal))
            .Where(e => response.Length == 0 || e.Response == response)
            .OrderBy(e => e.ExpiresAt ?? DateTimeOffset.MaxValue).ThenBy(e => e.Agent, StringComparer.Ordinal).ThenBy(e => e.Rkey, StringComparer.Ordinal)
            .ToList();
        var page = entries.Skip(paging.Offset).Take(paging.Limit).ToList();
        return TypedResults.Ok(new ActivePage(entries.Count, paging.Offset, paging.Limit, page));
    }

    private static async Task<IResult> RevokeAsync(string rkey, HttpRequest request, ApiServices services)
    {
        if (rkey.Length is 0 or > 512 || rkey.Any(char.IsControl))
        {
            return ApiProblems.BadRequest("the rkey must be 1 to 512 characters without control characters");
        }

        var agent = request.Query["agent"].ToString();
        if (agent.Length > 0 && agent != LocalAgent)
        {
            return await SendRevokeAsync(rkey, agent, services);
        }

        // The engine runs the delete program now and forgets the entry, exactly as `riposte revoke` through the
        // control socket does; a key (an address) matches every entry that reported it.
        // Not the request's token: a client that hangs up must not leave a delete half done.
        var outcomes = await services.Engine.RevokeAsync(rkey, CancellationToken.None);
        if (outcomes.Count == 0)
        {
            return ApiProblems.NotFound($"no active response matches '{rkey}'");
        }

        var results = outcomes.Select(o => new RevokeResult(o.RKey ?? rkey, o.Result.ToString().ToLowerInvariant(), o.Detail)).ToList();
        return TypedResults.Ok(new RevokeReply(results.All(r => r.Result == "continued"), results));
    }

    /// <summary>
    /// On a manager, an agent's entry is revoked where it lives: the key goes to the agent on its command stream, which
    /// looks it up in its own state as a local revoke does (<c>riposte revoke --agent</c>). The stream keeps it for an
    /// agent that is down, so the answer is 202: sent, not yet done; the agent's outcome arrives in history and events.
    /// </summary>
    private static async Task<IResult> SendRevokeAsync(string rkey, string agent, ApiServices services)
    {
        if (!Fleet.FleetNames.IsAgentId(agent))
        {
            return ApiProblems.BadRequest($"agent must be an agent id or '{LocalAgent}'");
        }

        if (services.Manager is not { } manager)
        {
            return ApiProblems.BadRequest("this host is not a fleet manager: only its own entries (no agent, or agent=local) can be revoked here");
        }

        if (manager.Registry.Find(agent) is not { Transport: Fleet.Registry.AgentTransport.Riposte })
        {
            return ApiProblems.NotFound($"'{agent}' is not an enrolled Riposte agent");
        }

        var now = services.Time.GetUtcNow();
        var command = new Fleet.Transport.FleetCommand(agent, Fleet.FleetNames.RevokeKind, System.Text.Encoding.UTF8.GetBytes(rkey),
            Fleet.Transport.CommandIds.Fresh(), now, now + services.Home.Settings.Fleet.CommandTtl);
        // Not the request's token: once asked, the command is stored or the call fails; a hang-up does not half-send it.
        await manager.Publisher.PublishAsync(command, CancellationToken.None);
        return TypedResults.Accepted((string?)null, new RevokeSent(true, agent, rkey, command.Id, command.ExpiresAt));
    }

    /// <summary>A page of <c>GET /api/v1/active</c>.</summary>
    public sealed record ActivePage(int Total, int Offset, int Limit, IReadOnlyList<ActiveEntry> Items);

    /// <summary>The <c>agent</c> filter's name for this host's own entries.</summary>
    public const string LocalAgent = "local";

    /// <summary>
    /// One active response: a timeout entry of this host (<see cref="Agent"/> null), or on a manager one an agent
    /// reported (no program, offense or status there; an expiry only when the agent gave one).
    /// </summary>
    public sealed record ActiveEntry(string Rkey, string? Response, string? Program, IReadOnlyList<string> Keys, DateTimeOffset AddedAt, DateTimeOffset? ExpiresAt,
        long? SecondsLeft, int? Offense, string Status, string? AlertId, string? Agent = null)
    {
        public static ActiveEntry From(TimeoutEntry e, DateTimeOffset now) =>
            new(e.RKey, e.ArName, e.Program, e.Keys, e.AddedAt, e.ExpiresAt, SecondsUntil(e.ExpiresAt, now), e.Offense,
                e.Status.ToString().ToLowerInvariant(), e.AlertId);

        public static ActiveEntry From(Fleet.View.FleetActive e, DateTimeOffset now) =>
            new(e.RKey, e.ArName, null, e.Keys, e.AddedAt, e.ExpiresAt, e.ExpiresAt is { } at ? SecondsUntil(at, now) : null, null, "active", e.AlertId, e.Agent);

        private static long SecondsUntil(DateTimeOffset at, DateTimeOffset now) => Math.Max(0, (long)Math.Ceiling((at - now).TotalSeconds));
    }

    /// <summary>The body of <c>DELETE /api/v1/active/{rkey}</c>.</summary>
    public sealed record RevokeReply(bool Ok, IReadOnlyList<RevokeResult> Revoked);

    /// <summary>The body of <c>DELETE /api/v1/active/{rkey}?agent=ID</c> on a manager: the revoke is on the agent's stream.</summary>
    /// <param name="Ok">Always true: the command is stored.</param>
    /// <param name="Agent">The agent that will run it.</param>
    /// <param name="Key">The rkey or key the agent looks up.</param>
    /// <param name="CommandId">The command's id (its outcome carries it).</param>
    /// <param name="ExpiresAt">When the command stops waiting for an agent that is down.</param>
    public sealed record RevokeSent(bool Ok, string Agent, string Key, string CommandId, DateTimeOffset ExpiresAt);

    /// <summary>What came of one entry's delete.</summary>
    public sealed record RevokeResult(string Rkey, string Result, string? Detail);
}
