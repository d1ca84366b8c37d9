namespace Riposte.Fleet.Registry;

/// <summary>How a manager reaches an agent.</summary>
public enum AgentTransport
{
    /// <summary>A Riposte agent, over NATS JetStream (durable, acknowledged, outcomes reported).</summary>
    Riposte,

    /// <summary>An unchanged Wazuh agent, through wazuh-remoted's active-response queue (fire and forget, as Wazuh does).</summary>
    Wazuh,
}

/// <summary>One agent in the manager's registry.</summary>
/// <param name="Id">The Wazuh agent id (see <see cref="FleetNames.IsAgentId"/>).</param>
/// <param name="Groups">Groups it belongs to (Riposte's, usable in routes and <c>--agent group:NAME</c>).</param>
/// <param name="Labels">Labels (<c>key=value</c>) usable in routes.</param>
/// <param name="Transport">How commands reach it.</param>
/// <param name="WazuhVersion">For a Wazuh agent, its version (e.g. <c>4.2.3</c>): it decides the message format. Null means 4.2.5 or later.</param>
public sealed record EnrolledAgent(
    string Id,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, string> Labels,
    AgentTransport Transport = AgentTransport.Riposte,
    string? WazuhVersion = null);
