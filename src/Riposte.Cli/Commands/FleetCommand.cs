using System.CommandLine;
using System.Globalization;
using System.Text;
using Riposte.Cli.Daemon;
using Riposte.Fleet.Enrolment;
using Riposte.Fleet.Registry;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte fleet</c>: enrols agents (the registry, their NATS credentials and the nats-server authorization file)
/// and prints a nats-server configuration that includes that authorization.
/// </summary>
internal static class FleetCommand
{
    private const string ReloadHint = "reload nats-server to apply it: nats-server --signal reload (or kill -HUP <pid>; systemctl reload nats-server)";

    public static Command Create(CliIo io)
    {
        var fleet = new Command("fleet", "Fleet enrolment: agents, their NATS credentials, and the nats-server configuration.");
        fleet.Subcommands.Add(AddAgent(io));
        fleet.Subcommands.Add(RemoveAgent(io));
        fleet.Subcommands.Add(RekeyAgent(io));
        fleet.Subcommands.Add(List(io));
        fleet.Subcommands.Add(NatsConfig(io));
        return fleet;
    }

    private static Command AddAgent(CliIo io)
    {
        var (home, settings) = (HomeOptions.CreateHome(), HomeOptions.CreateSettings());
        var id = new Argument<string>("id") { Description = "The Wazuh agent id (3 to 8 digits, not 000)." };
        var groups = new Option<string[]>("--group", "-g") { Description = "A group it belongs to (repeatable): letters, digits, . _ -." };
        var labels = new Option<string[]>("--label", "-l") { Description = "A label key=value (repeatable): letters, digits, . _ - on each side." };
        var wazuh = new Option<bool>("--wazuh") { Description = "An unchanged Wazuh agent, reached through wazuh-remoted (no NATS user)." };
        var version = new Option<string?>("--wazuh-version") { Description = "With --wazuh: its version X.Y.Z (decides the message format; default 4.2.5 or later)." };
        var command = new Command("add-agent", "Enrol an agent, or update its groups and labels (it keeps working credentials).") { id, groups, labels, wazuh, version, home, settings };
        command.SetAction(parse => Run(io, () =>
        {
            if (Enrolment(parse.GetValue(home), parse.GetValue(settings), io) is not { } enrolment)
            {
                return ExitCodes.InvalidInput;
            }

            if (parse.GetValue(version) is not null && !parse.GetValue(wazuh))
            {
                io.Error.WriteLine("--wazuh-version applies to a Wazuh agent only (add --wazuh)");
                return ExitCodes.Usage;
            }

            var labelMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in parse.GetValue(labels) ?? [])
            {
                var eq = label.IndexOf('=');
                if (eq <= 0)
                {
                    io.Error.WriteLine($"riposte fleet: --label \"{EnrolmentNames.Printable(label)}\" is not key=value");
                    return ExitCodes.InvalidInput;
                }

                labelMap[label[..eq]] = label[(eq + 1)..];
            }

            var agent = new EnrolledAgent(parse.GetValue(id)!, [.. (parse.GetValue(groups) ?? []).Distinct(StringComparer.Ordinal)], labelMap,
                parse.GetValue(wazuh) ? AgentTransport.Wazuh : AgentTransport.Riposte, parse.GetValue(version));
            var result = enrolment.Add(agent);
            io.Out.WriteLine($"enrolled agent {agent.Id} ({Describe(result.Agent)})");
            if (result.CredentialsFile is { } credentials)
            {
                io.Out.WriteLine(result.NewPassword
                    ? $"credentials: {credentials} (mode 0600, new password: copy it to the agent's host)"
                    : $"credentials: {credentials} (unchanged)");
            }
            else
            {
                io.Out.WriteLine("no NATS credentials: commands reach it through wazuh-remoted (fleet.remoted_queue)");
            }

            io.Out.WriteLine($"authorization: {enrolment.Paths.Authorization}");
            io.Out.WriteLine(ReloadHint);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RemoveAgent(CliIo io)
    {
        var (home, settings) = (HomeOptions.CreateHome(), HomeOptions.CreateSettings());
        var id = new Argument<string>("id") { Description = "The agent id." };
        var command = new Command("remove-agent", "Remove an agent from the registry and the authorization, and delete its credentials.") { id, home, settings };
        command.SetAction(parse => Run(io, () =>
        {
            if (Enrolment(parse.GetValue(home), parse.GetValue(settings), io) is not { } enrolment)
            {
                return ExitCodes.InvalidInput;
            }

            var agentId = parse.GetValue(id)!;
            if (!enrolment.Remove(agentId))
            {
                io.Error.WriteLine($"agent {agentId} is not enrolled");
                return ExitCodes.InvalidInput;
            }

            io.Out.WriteLine($"removed agent {agentId}");
            io.Out.WriteLine(ReloadHint);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RekeyAgent(CliIo io)
    {
        var (home, settings) = (HomeOptions.CreateHome(), HomeOptions.CreateSettings());
        var id = new Argument<string>("id") { Description = "The agent id." };
        var command = new Command("rekey-agent", "Give an agent a new NATS password; the old one stops working when nats-server reloads.") { id, home, settings };
        command.SetAction(parse => Run(io, () =>
        {
            if (Enrolment(parse.GetValue(home), parse.GetValue(settings), io) is not { } enrolment)
            {
                return ExitCodes.InvalidInput;
            }

            var result = enrolment.Rekey(parse.GetValue(id)!);
            io.Out.WriteLine($"new password for agent {result.Agent.Id}");
            io.Out.WriteLine($"credentials: {result.CredentialsFile} (mode 0600: copy it to the agent's host)");
            io.Out.WriteLine(ReloadHint);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CliIo io)
    {
        var (home, settings, format) = (HomeOptions.CreateHome(), HomeOptions.CreateSettings(), HomeOptions.CreateFormat());
        var command = new Command("list", "List the enrolled agents: id, transport, groups, labels.") { home, settings, format };
        command.SetAction(parse => Run(io, () =>
        {
            if (Enrolment(parse.GetValue(home), parse.GetValue(settings), io) is not { } enrolment)
            {
                return ExitCodes.InvalidInput;
            }

            var registry = enrolment.Registry();
            if (parse.GetValue(format) == "json")
            {
                io.Out.Write(registry.ToJson());
                return ExitCodes.Ok;
            }

            if (registry.Agents.Count == 0)
            {
                io.Out.WriteLine("no agents enrolled");
                return ExitCodes.Ok;
            }

            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{"ID",-8} {"TRANSPORT",-14} {"GROUPS",-24} LABELS");
            foreach (var agent in registry.Agents)
            {
                var transport = agent.Transport == AgentTransport.Wazuh ? "wazuh" + (agent.WazuhVersion is { } v ? " " + v : "") : "riposte";
                text.AppendLine(CultureInfo.InvariantCulture, $"{agent.Id,-8} {transport,-14} {Groups(agent),-24} {Labels(agent)}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"{registry.Agents.Count} enrolled");
            io.Out.Write(text.ToString());
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command NatsConfig(CliIo io)
    {
        var (home, settings) = (HomeOptions.CreateHome(), HomeOptions.CreateSettings());
        var listen = new Option<string>("--listen") { Description = "Client listener HOST:PORT.", DefaultValueFactory = _ => "0.0.0.0:4222" };
        var store = new Option<string>("--store") { Description = "JetStream store directory.", DefaultValueFactory = _ => "/var/lib/nats/jetstream" };
        var serverName = new Option<string?>("--server-name") { Description = "This server's name (distinct per cluster node)." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM server certificate: clients must use TLS." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM key of --tls-cert." };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "PEM CA for client certificates." };
        var tlsVerify = new Option<bool>("--tls-verify") { Description = "Require client certificates signed by --tls-ca." };
        var clusterName = new Option<string?>("--cluster-name") { Description = "Cluster name (the same on every node)." };
        var clusterListen = new Option<string?>("--cluster-listen") { Description = "This node's route listener HOST:PORT." };
        var routes = new Option<string[]>("--route") { Description = "A route nats-route://HOST:PORT to a cluster node (repeatable)." };
        var configPath = new Option<string>("--config-path")
        {
            Description = "Where this configuration will be saved; the include of the authorization is made relative to it, as nats-server 2.9 requires.",
            DefaultValueFactory = _ => NatsServerConfig.DebianConfigPath,
        };
        var command = new Command("nats-config", "Print a nats-server configuration (JetStream, TLS, cluster) that includes the fleet's authorization.")
        {
            listen, store, serverName, tlsCert, tlsKey, tlsCa, tlsVerify, clusterName, clusterListen, routes, configPath, home, settings,
        };
        command.SetAction(parse => Run(io, () =>
        {
            if (Enrolment(parse.GetValue(home), parse.GetValue(settings), io) is not { } enrolment)
            {
                return ExitCodes.InvalidInput;
            }

            var (cert, key, ca, verify) = (parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(tlsCa), parse.GetValue(tlsVerify));
            if ((cert is null) != (key is null) || (cert is null && (ca is not null || verify)))
            {
                io.Error.WriteLine("TLS needs both --tls-cert and --tls-key (--tls-ca and --tls-verify go with them)");
                return ExitCodes.Usage;
            }

            var (name, clusterAt, routeList) = (parse.GetValue(clusterName), parse.GetValue(clusterListen), parse.GetValue(routes) ?? []);
            if ((name is null) != (clusterAt is null) || (name is null && routeList.Length > 0) || (name is not null && routeList.Length == 0))
            {
                io.Error.WriteLine("a cluster needs --cluster-name, --cluster-listen and at least one --route");
                return ExitCodes.Usage;
            }

            var config = new NatsServerConfig
            {
                Listen = parse.GetValue(listen)!,
                StoreDirectory = parse.GetValue(store)!,
                ServerName = parse.GetValue(serverName),
                Tls = cert is null ? null : new NatsTlsConfig(cert, key!, ca, verify),
                Cluster = name is null ? null : new NatsClusterConfig(name, clusterAt!, routeList),
                AuthorizationInclude = NatsServerConfig.IncludePath(parse.GetValue(configPath)!, enrolment.Paths.Authorization),
            };
            io.Out.Write(config.Render());
            if (!File.Exists(enrolment.Paths.Authorization))
            {
                io.Error.WriteLine($"note: {enrolment.Paths.Authorization} does not exist yet: run `riposte fleet add-agent` first");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static AgentEnrolment? Enrolment(string? home, string? settings, CliIo io) =>
        RiposteHome.Resolve(home, settings, io) is { } layout ? new AgentEnrolment(FleetPaths.For(layout.Home, layout.StatePath)) : null;

    private static int Run(CliIo io, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            io.Error.WriteLine($"riposte fleet: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"riposte fleet: {e.Message}");
            return ExitCodes.StateUnavailable;
        }
    }

    private static string Describe(EnrolledAgent agent) =>
        (agent.Transport == AgentTransport.Wazuh ? "wazuh" + (agent.WazuhVersion is { } v ? " " + v : "") : "riposte") +
        (agent.Groups.Count > 0 ? "; groups: " + Groups(agent) : "") + (agent.Labels.Count > 0 ? "; labels: " + Labels(agent) : "");

    private static string Groups(EnrolledAgent agent) => agent.Groups.Count == 0 ? "-" : string.Join(",", agent.Groups);

    private static string Labels(EnrolledAgent agent) =>
        agent.Labels.Count == 0 ? "-" : string.Join(",", agent.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
