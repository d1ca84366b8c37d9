namespace Riposte.Fleet;

/// <summary>
/// The names a fleet shares on NATS: streams, subjects, consumers, inboxes and headers. They are part of the wire
/// contract between managers, agents and the nats-server authorization Riposte writes, so they never change casually.
/// </summary>
public static class FleetNames
{
    /// <summary>The stream holding every command for every agent (work-queue retention: an acked command is gone).</summary>
    public const string CommandStream = "RIPOSTE_CMD";

    /// <summary>The stream holding every outcome agents report (limits retention, read by each manager's own consumer).</summary>
    public const string OutcomeStream = "RIPOSTE_OUT";

    /// <summary>Subject prefix of commands: <c>riposte.cmd.&lt;agent&gt;</c>.</summary>
    public const string CommandPrefix = "riposte.cmd.";

    /// <summary>Subject prefix of outcomes: <c>riposte.out.&lt;agent&gt;</c>.</summary>
    public const string OutcomePrefix = "riposte.out.";

    /// <summary>Subject prefix of heartbeats (core NATS, not stored): <c>riposte.hb.&lt;agent&gt;</c>.</summary>
    public const string HeartbeatPrefix = "riposte.hb.";

    /// <summary>The NATS user a manager connects as.</summary>
    public const string ManagerUser = "riposte-manager";

    /// <summary>Header: when the command stops being worth running (Unix milliseconds, UTC).</summary>
    public const string ExpiresHeader = "Riposte-Expires";

    /// <summary>Header: when the manager issued the command (Unix milliseconds, UTC).</summary>
    public const string IssuedHeader = "Riposte-Issued";

    /// <summary>Header: the manager (its node name) that issued the command.</summary>
    public const string ManagerHeader = "Riposte-Manager";

    /// <summary>Header: what the command is; <see cref="ExecKind"/> (a Wazuh exec-queue body) or <see cref="RevokeKind"/>.</summary>
    public const string KindHeader = "Riposte-Kind";

    /// <summary>The command's payload is an exec-queue message, byte for byte what analysisd would send.</summary>
    public const string ExecKind = "exec";

    /// <summary>The command's payload is a key (an rkey or one of its keys, e.g. an IP) whose responses to undo now.</summary>
    public const string RevokeKind = "revoke";

    /// <summary>The subject commands for <paramref name="agentId"/> are published on.</summary>
    public static string CommandSubject(string agentId) => CommandPrefix + agentId;

    /// <summary>The subject <paramref name="agentId"/> reports its outcomes on.</summary>
    public static string OutcomeSubject(string agentId) => OutcomePrefix + agentId;

    /// <summary>The subject <paramref name="agentId"/> sends its heartbeats on.</summary>
    public static string HeartbeatSubject(string agentId) => HeartbeatPrefix + agentId;

    /// <summary>The durable consumer that delivers <paramref name="agentId"/>'s commands.</summary>
    public static string AgentConsumer(string agentId) => "agent-" + agentId;

    /// <summary>The durable consumer a manager node reads outcomes with (each node keeps its own view).</summary>
    public static string ManagerConsumer(string node) => "manager-" + node;

    /// <summary>The NATS user an agent connects as.</summary>
    public static string AgentUser(string agentId) => "agent-" + agentId;

    /// <summary>
    /// The agent's own inbox prefix. Replies (pull requests, publish acks) come back here, and the agent may subscribe to
    /// nothing else, so it cannot read replies meant for another agent.
    /// </summary>
    public static string AgentInboxPrefix(string agentId) => "_INBOX_" + agentId;

    /// <summary>The inbox prefix managers use.</summary>
    public const string ManagerInboxPrefix = "_INBOX_manager";

    /// <summary>
    /// A Wazuh agent id as Riposte accepts it: three to eight digits, not <c>000</c> (the manager). Only such ids become
    /// subjects, users and file names, so none can carry a NATS wildcard, a dot or a path separator.
    /// </summary>
    public static bool IsAgentId(string? id) => Config.Settings.AgentIds.IsValid(id);
}
