namespace Riposte.Fleet.Routing;

/// <summary>Where a manager sends one triggered active response: itself, a Riposte agent, a Wazuh agent, or nowhere.</summary>
public abstract record FleetDestination
{
    // Closed set: the manager's dispatch switches over exactly these.
    private protected FleetDestination()
    {
    }

    /// <summary>The agent id, or null for <see cref="ManagerDestination"/>.</summary>
    public abstract string? AgentId { get; }
}

/// <summary>This host's own engine, as <c>serve</c> runs it (analysisd's exec queue path).</summary>
public sealed record ManagerDestination : FleetDestination
{
    /// <summary>The only instance.</summary>
    public static ManagerDestination Instance { get; } = new();

    private ManagerDestination()
    {
    }

    /// <inheritdoc/>
    public override string? AgentId => null;

    /// <summary><c>manager</c>.</summary>
    public override string ToString() => "manager";
}

/// <summary>An enrolled Riposte agent, reached over NATS JetStream (<c>riposte.cmd.&lt;id&gt;</c>).</summary>
/// <param name="Id">The agent id, as enrolled.</param>
public sealed record RiposteAgentDestination(string Id) : FleetDestination
{
    /// <inheritdoc/>
    public override string? AgentId => Id;

    /// <summary><c>agent 001</c>.</summary>
    public override string ToString() => $"agent {Id}";
}

/// <summary>
/// An unchanged Wazuh agent, reached through wazuh-remoted's active-response queue with analysisd's framing.
/// </summary>
/// <param name="Id">The agent id as it goes into the header (<c>%.3d</c>).</param>
/// <param name="Flags">
/// The three header flag characters (spec §3.4): <c>NRN</c> for <c>local</c>, <c>NNS</c> for <c>defined-agent</c>,
/// <c>all</c> and every agent a Riposte route names.
/// </param>
/// <param name="WazuhVersion">The agent's version from the registry (it picks the message body); null when unknown.</param>
public sealed record WazuhAgentDestination(string Id, string Flags, string? WazuhVersion) : FleetDestination
{
    /// <inheritdoc/>
    public override string? AgentId => Id;

    /// <summary><c>Wazuh agent 005 (NNS)</c>.</summary>
    public override string ToString() => $"Wazuh agent {Id} ({Flags})";
}

/// <summary>An agent the manager has no way to reach; the command is recorded as undeliverable, not sent.</summary>
/// <param name="Id">The agent id.</param>
/// <param name="Reason">Why, for the audit trail and <c>riposte explain</c> (e.g. <c>agent 009 is not enrolled</c>).</param>
public sealed record UndeliverableDestination(string Id, string Reason) : FleetDestination
{
    /// <inheritdoc/>
    public override string? AgentId => Id;

    /// <summary><c>undeliverable: &lt;reason&gt;</c>.</summary>
    public override string ToString() => $"undeliverable: {Reason}";
}

/// <summary>A destination and what put it there.</summary>
/// <param name="Destination">Where the response goes.</param>
/// <param name="Because">
/// What named it, comma-separated when several did: <c>location local</c>, <c>location all</c>, <c>agents</c>,
/// <c>group web</c>, <c>labels env=prod</c>, <c>all_agents</c>, <c>manager</c>, <c>alert_agent</c>.
/// </param>
public sealed record RoutedDestination(FleetDestination Destination, string Because);
