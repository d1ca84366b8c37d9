namespace Riposte.Config.Settings;

/// <summary>The <c>fleet</c> section's schema: which keys each role reads and needs, and the rules between them.</summary>
internal static class FleetSchema
{
    /// <summary>Stream replicas NATS allows.</summary>
    private const int MaxReplicas = 5;

    private const SettingRoles Manager = SettingRoles.Manager;
    private const SettingRoles Agent = SettingRoles.Agent;

    private static readonly string[] NatsSchemes = ["nats", "tls", "ws", "wss"];

    private static readonly (string Name, FleetRole Value)[] Roles =
        [("standalone", FleetRole.Standalone), ("manager", FleetRole.Manager), ("agent", FleetRole.Agent)];

    // A null for these means "not given": the default is null anyway, and the role rules treat null as absent.
    private static readonly SettingType<Uri> NatsUrl = SettingTypes.Text.OrNull().Then((context, path, text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && NatsSchemes.Contains(uri.Scheme, StringComparer.Ordinal) && uri.Host.Length > 0
            ? Bound.Of(uri)
            : context.Refuse<Uri>(path, $"{path}: \"{text}\" is not a NATS URL (e.g. nats://127.0.0.1:4222; tls, ws and wss also work)"));

    private static readonly SettingType<string> AgentId = SettingTypes.Text.OrNull()
        .Where(AgentIds.IsValid, (path, id) => $"{path}: \"{id}\" is not a Wazuh agent id (3 to 8 digits, e.g. \"001\"; 000 is the manager)");

    // The node name becomes the durable consumer manager-<node>, and NATS forbids '.' there.
    private static readonly SettingType<string> NodeName = SettingTypes.Text.OrNull()
        .Where(node => SafeNames.IsValid(node, allowDot: false), (path, node) => $"{path}: \"{node}\" is not {SafeNames.Rule("a node name", allowDot: false)}; "
            + "it names this manager's NATS consumer, where '.' is not allowed");

    private static readonly SettingType<TimeSpan> Positive = SettingTypes.Duration(allowZero: false);

    public static SettingSection<FleetSettings> Section { get; } =
        new SettingSection<FleetSettings>(FleetSettings.Default, "Coordination between a manager and its agents over NATS.")
            .Key("role", SettingTypes.Choice(Roles), (f, v) => f with { Role = v }, "standalone, manager or agent; without it the command line chooses.")
            .Key("nats_url", NatsUrl, (f, v) => f with { NatsUrl = v }, "The NATS server.", neededBy: Manager | Agent)
            .Key("agent_id", AgentId, (f, v) => f with { AgentId = v }, "This agent's Wazuh id.", roles: Agent, neededBy: Agent)
            .Key("credentials_file", SettingTypes.OptionalText, (f, v) => f with { CredentialsFile = v }, "A NATS token or .creds file; needed unless NATS is on this host.")
            .Key("command_ttl", Positive, (f, v) => f with { CommandTtl = v }, "How long a command waits for a disconnected agent.")
            .Key("node_name", NodeName, (f, v) => f with { NodeName = v }, "This manager's name in a cluster of managers.")
            .Key("heartbeat", Positive, (f, v) => f with { Heartbeat = v }, "How often an agent sends a heartbeat.")
            .Key("ack_wait", Positive, (f, v) => f with { AckWait = v }, "How long NATS waits for an agent's acknowledgement before redelivering.")
            .Key("replicas", SettingTypes.Int(1, MaxReplicas), (f, v) => f with { Replicas = v }, "Stream replicas.", roles: Manager)
            .Key("outcome_retention", Positive, (f, v) => f with { OutcomeRetention = v }, "How long outcomes stay for managers that were down.", roles: Manager)
            .Key("remoted_queue", SettingTypes.OptionalText, (f, v) => f with { RemotedQueue = v }, "wazuh-remoted's active-response queue, for agents NATS does not reach.", roles: Manager)
            .Key("tls_ca_file", SettingTypes.OptionalText, (f, v) => f with { TlsCaFile = v }, "PEM file of the CA that signed the NATS server's certificate.")
            .Key("tls_cert_file", SettingTypes.OptionalText, (f, v) => f with { TlsCertFile = v }, "PEM client certificate.")
            .Key("tls_key_file", SettingTypes.OptionalText, (f, v) => f with { TlsKeyFile = v }, "PEM key of tls_cert_file.")
            .Rule(CheckRoles);

    private static FleetSettings CheckRoles(SettingsContext context, SectionReading<FleetSettings> reading)
    {
        var fleet = reading.Value;
        string path = reading.Path;

        // A client certificate without its key (or the reverse) cannot be presented; say so before anything connects.
        if (reading.IsSet("tls_cert_file", out string? certPath) != reading.IsSet("tls_key_file"))
        {
            string setPath = certPath ?? reading.Given["tls_key_file"].Path;
            string missing = certPath is null ? "tls_cert_file" : "tls_key_file";
            context.Error(setPath, $"{setPath} is set but {path}.{missing} is not; a client certificate needs both");
        }

        string rolePath = reading.PathOf("role");
        string roleText = Roles.First(r => r.Value == fleet.Role).Name;
        if (fleet.Role == FleetRole.Standalone)
        {
            // Only a role written as standalone makes the other keys dead: without one, `serve --nats` and `riposte agent`
            // choose the role on the command line and these keys are theirs.
            foreach (var key in reading.IsSet("role") ? Section.Keys.Where(k => k.Name != "role") : [])
            {
                if (reading.IsSet(key.Name, out string? keyPath))
                {
                    context.WarningAtName(keyPath, $"{keyPath} has no effect while {rolePath} is \"standalone\"");
                }
            }

            return fleet;
        }

        var role = fleet.Role == FleetRole.Manager ? SettingRoles.Manager : SettingRoles.Agent;
        foreach (var key in Section.Keys.Where(k => k.NeededBy.HasFlag(role) && !reading.IsSet(k.Name)))
        {
            context.Error(rolePath, $"{rolePath} \"{roleText}\" needs {path}.{key.Name}");
        }

        if (fleet.NatsUrl is { IsLoopback: false } nats && reading.IsSet("nats_url", out string? natsPath) && !reading.IsSet("credentials_file"))
        {
            context.Error(natsPath, $"{path}.nats_url points at {nats.Host}, not this host, so {path}.credentials_file is required");
        }

        // Agents bind to what the manager created and never talk to remoted, and a manager has no agent id.
        foreach (var key in Section.Keys.Where(k => !k.Roles.HasFlag(role)))
        {
            if (reading.IsSet(key.Name, out string? keyPath))
            {
                context.WarningAtName(keyPath, $"{keyPath} has no effect while {rolePath} is \"{roleText}\"");
            }
        }

        return fleet;
    }
}
