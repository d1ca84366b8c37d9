namespace Riposte.Fleet.Registry;

/// <summary>Where a manager keeps its fleet files under a Wazuh home (<c>etc/riposte-fleet/</c>) and its fleet view.</summary>
/// <param name="Directory">The fleet directory, <c>HOME/etc/riposte-fleet</c>.</param>
/// <param name="StateDirectory">The directory of Riposte's state file; the fleet view (<c>fleet.db</c>) lives beside it.</param>
public sealed record FleetPaths(string Directory, string StateDirectory)
{
    /// <summary>The paths for a home and a state file.</summary>
    public static FleetPaths For(string home, string statePath) =>
        new(Path.Combine(home, "etc", "riposte-fleet"), Path.GetDirectoryName(Path.GetFullPath(statePath))!);

    /// <summary>The agent registry.</summary>
    public string Registry => Path.Combine(Directory, "agents.json");

    /// <summary>The nats-server authorization block Riposte writes (included by the nats-server configuration).</summary>
    public string Authorization => Path.Combine(Directory, "nats-authorization.conf");

    /// <summary>The bcrypt hashes of every NATS user, which the authorization file is regenerated from (mode 0600).</summary>
    public string Secrets => Path.Combine(Directory, "secrets.json");

    /// <summary>The manager's own NATS credentials.</summary>
    public string ManagerCredentials => Path.Combine(Directory, "manager.creds.json");

    /// <summary>The credentials file made for <paramref name="agentId"/>, to copy to that agent's host.</summary>
    public string AgentCredentials(string agentId) => Path.Combine(Directory, "agents", agentId + ".creds.json");

    /// <summary>The manager's fleet view: agents' presence, commands sent, outcomes reported, active responses per agent.</summary>
    public string FleetState => Path.Combine(StateDirectory, "fleet.db");
}
