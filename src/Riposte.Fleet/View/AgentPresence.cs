namespace Riposte.Fleet.View;

/// <summary>What the manager knows of an agent it has heard from.</summary>
/// <param name="Id">The agent id.</param>
/// <param name="State">One of <see cref="AgentStates"/>, computed when listed.</param>
/// <param name="LastSeen">When the manager last heard from it (a heartbeat or an outcome), on the manager's clock.</param>
/// <param name="Version">Riposte's version on the agent, from its last heartbeat.</param>
/// <param name="Hostname">The agent host's name, from its last heartbeat.</param>
/// <param name="Active">Active responses on the agent, as its last heartbeat said (0 before any heartbeat).</param>
/// <param name="StartedAt">When the agent process started (agent clock), from its last heartbeat.</param>
public sealed record AgentPresence(
    string Id,
    string State,
    DateTimeOffset? LastSeen,
    string? Version,
    string? Hostname,
    int Active,
    DateTimeOffset? StartedAt);

/// <summary>The values of <see cref="AgentPresence.State"/>.</summary>
public static class AgentStates
{
    /// <summary>Heard from within three heartbeat intervals.</summary>
    public const string Active = "active";

    /// <summary>Silent for more than three heartbeat intervals without saying it was stopping.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>Its last heartbeat said it was stopping cleanly.</summary>
    public const string Stopped = "stopped";
}
