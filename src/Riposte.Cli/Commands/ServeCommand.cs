using System.CommandLine;
using Riposte.Cli.Daemon;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte serve</c>: the daemon (single-host mode: every location runs locally).</summary>
internal static class ServeCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var config = new Option<string[]>("--config", "-c") { Description = "ossec.conf files (default: the settings' list under home, etc/ossec.conf)." };
        var alerts = new Option<string?>("--alerts", "-a") { Description = "alerts.json to follow, or - for JSON lines on standard input." };
        var fromStart = new Option<bool>("--from-start") { Description = "On the first start, read the alerts file from its beginning instead of its end." };
        var execq = new Option<bool>("--execq") { Description = "Bind Wazuh's exec queue (HOME/queue/alerts/execq) and run what analysisd or agentd send there." };
        var untilIdle = new Option<bool>("--until-idle") { Description = "Stop once the inputs reach their end and running programs finish (active responses stay in state)." };
        var logFormat = new Option<string>("--log-format") { Description = "Daemon log format on stderr: text or json.", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Debug logging (execd's debug messages)." };
        var role = HomeOptions.CreateRole();
        var spawnAll = new Option<bool>("--no-fast-path") { Description = "Spawn nft-drop/ipset-drop like any program instead of applying them in-process (their sets are still reconciled)." };
        var natsUrl = new Option<string?>("--nats") { Description = "Fleet manager: the NATS server(s) (nats://host:4222, tls://..., comma-separated) to send agents their commands through." };
        var credentials = new Option<string?>("--credentials") { Description = "NATS credentials file (default: the settings', else HOME/etc/riposte-fleet/manager.creds.json)." };
        var api = new Option<string?>("--api") { Description = "Serve the HTTP API on host:port (e.g. 127.0.0.1:9595); overrides the settings' api.listen." };
        var apiToken = new Option<string?>("--api-token-file") { Description = "The file (mode 0600, owned by this user) holding the API's bearer token; overrides api.token_file." };
        var command = new Command("serve", "Run the engine: follow alerts and/or the exec queue, run responses, undo them on time.")
        {
            home, settings, config, role, alerts, fromStart, execq, untilIdle, spawnAll, natsUrl, credentials, api, apiToken, logFormat, verbose,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            if (parse.GetValue(alerts) is null && !parse.GetValue(execq))
            {
                io.Error.WriteLine("nothing to serve: give --alerts FILE|- and/or --execq");
                return ExitCodes.Usage;
            }

            string? nats = parse.GetValue(natsUrl)
                ?? (layout.Settings.Fleet is { Role: Config.Settings.FleetRole.Manager, NatsUrl: { } fromSettings } ? fromSettings.OriginalString : null);
            if (nats is not null && parse.GetValue(role) != Config.ConfigRole.Manager)
            {
                io.Error.WriteLine("--nats makes serve a fleet manager: it needs --role manager (agents run `riposte agent`)");
                return ExitCodes.Usage;
            }

            if (!Api.ApiCommandLine.TryResolve(parse.GetValue(api), parse.GetValue(apiToken), layout, io, out var apiOptions, out var apiExit))
            {
                return apiExit;
            }

            using var loggers = DaemonLogging.Create(parse.GetValue(verbose), parse.GetValue(logFormat)!);
            var options = new ServeOptions(layout, parse.GetValue(config) ?? [], parse.GetValue(role), parse.GetValue(alerts), parse.GetValue(fromStart),
                parse.GetValue(execq), parse.GetValue(untilIdle), !parse.GetValue(spawnAll),
                nats is null ? null : new FleetDaemonOptions(nats, parse.GetValue(credentials), null), apiOptions);
            return await new DaemonHost(options, io, loggers).RunAsync(ct);
        });
        return command;
    }
}
