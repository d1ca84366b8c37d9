namespace Riposte.Config.Settings;

/// <summary>This host's part in a fleet.</summary>
public enum FleetRole
{
    /// <summary><c>standalone</c>: no fleet; everything stays on this host.</summary>
    Standalone,

    /// <summary><c>manager</c>: sends commands to agents over NATS.</summary>
    Manager,

    /// <summary><c>agent</c>: receives commands from the manager over NATS.</summary>
    Agent,
}

/// <summary>The <c>fleet</c> section: coordination between a manager and its agents over NATS.</summary>
public sealed record FleetSettings
{
    /// <summary>The defaults.</summary>
    public static FleetSettings Default { get; } = new();

    /// <summary>This host's role. Default <see cref="FleetRole.Standalone"/>.</summary>
    public FleetRole Role { get; init; } = FleetRole.Standalone;

    /// <summary>The NATS server (<c>nats</c>, <c>tls</c>, <c>ws</c> or <c>wss</c> scheme); set whenever the role is not standalone.</summary>
    public Uri? NatsUrl { get; init; }

    /// <summary>The Wazuh agent id (three or more digits, not <c>000</c>); set when the role is agent.</summary>
    public string? AgentId { get; init; }

    /// <summary>A NATS token or <c>.creds</c> file; set whenever <see cref="NatsUrl"/> is not a loopback address.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>How long a command waits for a disconnected agent before it is dropped (and recorded as expired). Default 24 h.</summary>
    public TimeSpan CommandTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// This manager's name in a cluster of managers (its own outcome consumer, the <c>Riposte-Manager</c> header).
    /// Default: the host name.
    /// </summary>
    public string? NodeName { get; init; }

    /// <summary>How often an agent sends a heartbeat; three missed ones make it disconnected. Default 5 s.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long NATS waits for an agent's acknowledgement before delivering a command again (the agent extends it while
    /// a program runs). After an agent crash, commands it had taken come back after this long. Default 30 s.
    /// </summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Stream replicas (1 on a single nats-server, 3 on a 3-node cluster). Default 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How long agents' outcomes stay in the outcome stream for managers that were down. Default 7 days.</summary>
    public TimeSpan OutcomeRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// wazuh-remoted's active-response queue (<c>queue/alerts/ar</c> under the Wazuh home, relative paths under the
    /// home): when set, commands for agents enrolled with transport <c>wazuh</c>, and for agent ids not enrolled at all,
    /// go there with analysisd's framing. Null: no bridge, commands for unknown agents are recorded as undeliverable.
    /// </summary>
    public string? RemotedQueue { get; init; }

    /// <summary>PEM file of the CA that signed the NATS server's certificate (a <c>tls://</c> URL, or a server requiring TLS).</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>PEM client certificate, for a nats-server that verifies clients (<c>verify: true</c>).</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; init; }
}
