namespace Riposte.Fleet.View;

/// <summary>An active response on an agent, as the agent's outcomes describe it.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="RKey">The response key on that agent.</param>
/// <param name="ArName">The active response.</param>
/// <param name="Keys">The program's keys.</param>
/// <param name="AlertId">The alert that caused it.</param>
/// <param name="AddedAt">When the agent added it (agent clock).</param>
/// <param name="ExpiresAt">When the agent will undo it, when the agent said.</param>
public sealed record FleetActive(
    string Agent,
    string RKey,
    string? ArName,
    IReadOnlyList<string> Keys,
    string? AlertId,
    DateTimeOffset AddedAt,
    DateTimeOffset? ExpiresAt);
