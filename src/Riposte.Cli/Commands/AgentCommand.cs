using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Fleet;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte agent</c>: a fleet agent. It runs the commands its manager sends over NATS with the same engine as
/// <c>serve</c> (its own state, handshake, time limits, safety rails) and owns its reverts, so a manager that is down
/// never delays a delete.
/// </summary>
internal static class AgentCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var id = new Option<string?>("--id") { Description = "This agent's Wazuh id (e.g. 001). Default: the settings' fleet.agent_id." };
        var nats = new Option<string?>("--nats") { Description = "The NATS server(s) (nats://host:4222, tls://..., comma-separated). Default: the settings' fleet.nats_url." };
        var credentials = new Option<string?>("--credentials") { Description = "The credentials file `riposte fleet add-agent` made for this agent (default: the settings' fleet.credentials_file)." };
        var execq = new Option<bool>("--execq") { Description = "Also bind Wazuh's exec queue (HOME/queue/alerts/execq) and run what a local wazuh-agentd sends there." };
        var logFormat = new Option<string>("--log-format") { Description = "Daemon log format on stderr: text or json.", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Debug logging." };
        var spawnAll = new Option<bool>("--no-fast-path") { Description = "Spawn nft-drop/ipset-drop like any program instead of applying them in-process." };
        var command = new Command("agent", "Run as a fleet agent: take this agent's commands from NATS, run them, report every outcome.")
        {
            home, settings, id, nats, credentials, execq, spawnAll, logFormat, verbose,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var agentId = parse.GetValue(id) ?? layout.Settings.Fleet.AgentId;
            if (!FleetNames.IsAgentId(agentId))
            {
                io.Error.WriteLine(agentId is null
                    ? "which agent is this? give --id (e.g. --id 001) or fleet.agent_id in the settings"
                    : $"'{agentId}' is not an agent id: 3 to 8 digits, not 000 (000 is the manager)");
                return ExitCodes.Usage;
            }

            var url = parse.GetValue(nats) ?? layout.Settings.Fleet.NatsUrl?.OriginalString;
            if (url is null)
            {
                io.Error.WriteLine("where is NATS? give --nats URL (e.g. --nats nats://manager:4222) or fleet.nats_url in the settings");
                return ExitCodes.Usage;
            }

            using var loggers = DaemonLogging.Create(parse.GetValue(verbose), parse.GetValue(logFormat)!);
            var options = new ServeOptions(layout, [], Config.ConfigRole.Agent, null, false, parse.GetValue(execq), false, !parse.GetValue(spawnAll),
                new FleetDaemonOptions(url, parse.GetValue(credentials), agentId));
            return await new DaemonHost(options, io, loggers).RunAsync(ct);
        });
        return command;
    }
}
