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

    /// <summary>How long a command waits for a disconnected agent before it is dropped. Default 24 h.</summary>
    public TimeSpan CommandTtl { get; init; } = TimeSpan.FromHours(24);
}
