using System.Text.Json.Serialization;

namespace Riposte.Fleet.Messages;

/// <summary>What an agent says about itself every heartbeat interval.</summary>
/// <param name="Agent">Its id.</param>
/// <param name="Version">Riposte's version on the agent.</param>
/// <param name="At">When it was sent (Unix ms, agent clock).</param>
/// <param name="StartedAt">When the agent process started (Unix ms).</param>
/// <param name="IntervalMs">The interval: the manager calls an agent disconnected after three missed heartbeats.</param>
/// <param name="Active">Active responses (timeout entries) on the agent.</param>
/// <param name="Hostname">The agent host's name.</param>
/// <param name="Stopping">True on the last heartbeat of a clean stop.</param>
public sealed record AgentHeartbeat(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("at")] long At,
    [property: JsonPropertyName("started_at")] long StartedAt,
    [property: JsonPropertyName("interval_ms")] long IntervalMs,
    [property: JsonPropertyName("active")] int Active,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("stopping")] bool Stopping = false);
