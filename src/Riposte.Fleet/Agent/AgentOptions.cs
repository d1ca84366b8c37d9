namespace Riposte.Fleet.Agent;

/// <summary>How a fleet agent behaves.</summary>
/// <param name="AgentId">Its Wazuh agent id.</param>
/// <param name="AckWait">The consumer's ack wait (the agent signals progress well within it while a program runs).</param>
/// <param name="Heartbeat">How often it says it is alive.</param>
/// <param name="Version">Riposte's version, for the manager's agent list.</param>
public sealed record AgentOptions(string AgentId, TimeSpan AckWait, TimeSpan Heartbeat, string Version);
