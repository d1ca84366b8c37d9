namespace Riposte.Fleet.View;

/// <summary>A command the manager published for a Riposte agent, as the fleet view remembers it.</summary>
/// <param name="Id">The command's <c>Nats-Msg-Id</c>; the agent reports its outcomes with source <c>fleet:&lt;id&gt;</c>.</param>
/// <param name="Agent">The agent it was sent to.</param>
/// <param name="Kind">What it is: <c>exec</c> or <c>revoke</c> (see <see cref="FleetNames.KindHeader"/>).</param>
/// <param name="ArName">The active response, for an exec.</param>
/// <param name="AlertId">The alert that caused it, when there is one.</param>
/// <param name="Target">What it acts on (an IP, a user, the key to revoke), when known.</param>
/// <param name="IssuedAt">When the manager issued it.</param>
/// <param name="ExpiresAt">When it stops being worth running (its time to live).</param>
/// <param name="Manager">The manager node that issued it.</param>
public sealed record SentCommand(
    string Id,
    string Agent,
    string Kind,
    string? ArName,
    string? AlertId,
    string? Target,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string Manager);
