using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Riposte.Cli.Api;

/// <summary><c>GET /api/v1/agents</c>: on a fleet manager, each agent's state as <c>riposte agents</c> shows it; on a single host, none.</summary>
internal static class AgentsEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/agents", ListAsync).WithSummary("The fleet's agents (state, last seen, active responses, pending commands); empty on a single host.");

    private static async Task<IResult> ListAsync(ApiServices services, CancellationToken cancellationToken)
    {
        if (services.Fleet is not { } fleet)
        {
            return TypedResults.Ok(new AgentsReply(false, []));
        }

        var agents = await fleet.ListAgentsAsync(cancellationToken);
        var pending = await fleet.PendingCommandsAsync(null, cancellationToken);
        return TypedResults.Ok(new AgentsReply(true, [.. agents.Select(a =>
            new AgentEntry(a.Id, a.State, a.LastSeen, a.Version, a.Hostname, a.Active, pending.TryGetValue(a.Id, out var n) ? n : 0))]));
    }

    /// <summary>The body of <c>GET /api/v1/agents</c>.</summary>
    public sealed record AgentsReply(bool Fleet, IReadOnlyList<AgentEntry> Items);

    /// <summary>One agent.</summary>
    public sealed record AgentEntry(string Agent, string State, DateTimeOffset? LastSeen, string? Version, string? Hostname, int Active, int Pending);
}
