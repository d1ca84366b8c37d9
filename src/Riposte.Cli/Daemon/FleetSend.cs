using System.CommandLine;
using System.Text;
using Riposte.Fleet;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Safety;

namespace Riposte.Cli.Daemon;

/// <summary>
/// <c>trigger</c> and <c>revoke</c> with <c>--agent</c>: the command goes to each named agent's stream, as a manager's
/// would, and waits there for an agent that is down. The outcome comes back in the manager's <c>history</c>.
/// </summary>
internal static class FleetSend
{
    public static Option<string?> CreateAgentOption() => new("--agent")
    {
        Description = "Fleet manager: send it to agents instead of running it here: an id (001), several (001,002), all, or group:NAME.",
    };

    public static Option<string?> CreateNatsOption() => new("--nats") { Description = "The NATS server(s) for --agent (default: the settings' fleet.nats_url)." };

    public static Option<string?> CreateCredentialsOption() => new("--credentials")
    {
        Description = "NATS credentials for --agent (default: the settings', else HOME/etc/riposte-fleet/manager.creds.json).",
    };

    /// <summary>The enrolled Riposte agents <paramref name="spec"/> names; null (reported) when it names none or an unknown one.</summary>
    public static IReadOnlyList<string>? Resolve(string spec, AgentRegistry registry, CliIo io)
    {
        var ids = new List<string>();
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            IEnumerable<EnrolledAgent> named;
            if (part == "all")
            {
                named = registry.Agents;
            }
            else if (part.StartsWith("group:", StringComparison.Ordinal))
            {
                named = [.. registry.InGroup(part["group:".Length..])];
                if (!named.Any())
                {
                    io.Error.WriteLine($"--agent {DisplayText.Quote(part)}: no enrolled agent is in that group");
                    return null;
                }
            }
            else if (FleetNames.IsAgentId(part) && registry.Find(part) is { } one)
            {
                named = [one];
            }
            else
            {
                io.Error.WriteLine(FleetNames.IsAgentId(part)
                    ? $"--agent {part}: that agent is not enrolled (riposte fleet add-agent {part})"
                    : $"--agent {DisplayText.Quote(part)}: expected an agent id (001), all, or group:NAME");
                return null;
            }

            foreach (var agent in named)
            {
                if (agent.Transport != AgentTransport.Riposte)
                {
                    io.Error.WriteLine($"agent {agent.Id} is a Wazuh agent: --agent reaches Riposte agents only (use Wazuh's agent_control for it)");
                    return null;
                }

                if (!ids.Contains(agent.Id))
                {
                    ids.Add(agent.Id);
                }
            }
        }

        if (ids.Count == 0)
        {
            io.Error.WriteLine("--agent names no agent (the registry is empty: riposte fleet add-agent ID)");
            return null;
        }

        return ids;
    }

    /// <summary>Publishes one command per agent and reports each; returns the exit code.</summary>
    public static async Task<int> SendAsync(RiposteHome layout, string spec, string? nats, string? credentials, string kind, byte[] payload, CliIo io,
        CancellationToken cancellationToken)
    {
        AgentRegistry registry;
        try
        {
            registry = AgentRegistry.Load(FleetPaths.For(layout.Home, layout.StatePath).Registry);
        }
        catch (FormatException ex)
        {
            io.Error.WriteLine(ex.Message);
            return ExitCodes.InvalidInput;
        }

        if (Resolve(spec, registry, io) is not { } agents)
        {
            return ExitCodes.InvalidInput;
        }

        var url = nats ?? layout.Settings.Fleet.NatsUrl?.OriginalString;
        if (url is null)
        {
            io.Error.WriteLine("--agent needs NATS: give --nats URL or fleet.nats_url in the settings");
            return ExitCodes.Usage;
        }

        if (new FleetDaemonOptions(url, credentials, null).Connection(layout, io) is not { } connection)
        {
            return ExitCodes.InvalidInput;
        }

        await using var client = FleetConnection.Create(connection);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await client.ConnectAsync();
            var publisher = new CommandPublisher(new NATS.Client.JetStream.NatsJSContext(client), FleetDaemonOptions.NodeName(layout),
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var now = TimeProvider.System.GetUtcNow();
            foreach (var agent in agents)
            {
                var command = new FleetCommand(agent, kind, payload, CommandIds.Fresh(), now, now + layout.Settings.Fleet.CommandTtl);
                await publisher.PublishAsync(command, timeout.Token);
                io.Out.WriteLine($"sent to agent {agent}: command {command.Id} ({(kind == FleetNames.RevokeKind ? "revoke " + Encoding.UTF8.GetString(payload) : "exec")}); " +
                    $"its outcome shows in `riposte history --agent {agent}`");
            }
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException or OperationCanceledException)
        {
            io.Error.WriteLine($"NATS at {url} did not take the command: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        return ExitCodes.Ok;
    }
}
