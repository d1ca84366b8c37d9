using Riposte.Config.Settings;
using Riposte.Fleet;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;

namespace Riposte.Cli.Daemon;

/// <summary>A daemon's part in a fleet, from the command line (which wins) and the <c>fleet</c> settings.</summary>
/// <param name="NatsUrl">The NATS server(s), comma-separated.</param>
/// <param name="CredentialsFile">The NATS credentials; null: the settings', else (manager) the enrolment's manager file.</param>
/// <param name="AgentId">Set for an agent.</param>
internal sealed record FleetDaemonOptions(string NatsUrl, string? CredentialsFile, string? AgentId)
{
    public bool IsAgent => AgentId is not null;

    /// <summary>The settings' fleet section.</summary>
    public static FleetSettings Settings(RiposteHome home) => home.Settings.Fleet;

    /// <summary>The manager's node name: the settings', else the host name made safe for a consumer name.</summary>
    public static string NodeName(RiposteHome home) =>
        home.Settings.Fleet.NodeName ?? new string([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);

    /// <summary>How to connect; a credentials file that cannot be read is an error (reported, null returned).</summary>
    public FleetConnectionOptions? Connection(RiposteHome home, CliIo io)
    {
        var fleet = home.Settings.Fleet;
        var path = CredentialsFile ?? fleet.CredentialsFile;
        if (path is null && !IsAgent)
        {
            var managerFile = FleetPaths.For(home.Home, home.StatePath).ManagerCredentials;
            path = File.Exists(managerFile) ? managerFile : null;
        }

        FleetCredentials? credentials = null;
        if (path is not null)
        {
            try
            {
                credentials = FleetCredentials.Read(Path.GetFullPath(path, home.Home));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                io.Error.WriteLine($"cannot read the NATS credentials {path}: {ex.Message}");
                return null;
            }
        }

        var tls = fleet.TlsCaFile is null && fleet.TlsCertFile is null
            ? null
            : new FleetTls(Abs(fleet.TlsCaFile), Abs(fleet.TlsCertFile), Abs(fleet.TlsKeyFile));
        return IsAgent
            ? new FleetConnectionOptions(NatsUrl, credentials, FleetNames.AgentInboxPrefix(AgentId!), $"riposte-agent-{AgentId}", tls)
            : new FleetConnectionOptions(NatsUrl, credentials, FleetNames.ManagerInboxPrefix, $"riposte-manager-{NodeName(home)}", tls);

        string? Abs(string? file) => file is null ? null : Path.GetFullPath(file, home.Home);
    }

    /// <summary>The stream limits a manager applies.</summary>
    public static FleetStreamOptions Streams(RiposteHome home)
    {
        var fleet = home.Settings.Fleet;
        return new FleetStreamOptions(fleet.CommandTtl, fleet.OutcomeRetention, fleet.Replicas, fleet.AckWait);
    }
}
