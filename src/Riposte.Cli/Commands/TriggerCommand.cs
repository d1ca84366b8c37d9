using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Engine;
using Riposte.Protocol.Execd;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte trigger</c>: what <c>agent_control -b</c> does — runs an AR by name for an IP (or user, or a whole alert)
/// through the same runner and state as alerts do.
/// </summary>
internal static class TriggerCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var config = new Option<string[]>("--config", "-c") { Description = "ossec.conf files (default: the settings' list under home)." };
        var role = HomeOptions.CreateRole();
        var wait = HomeOptions.CreateDaemonWait();
        var arName = new Option<string>("--command") { Description = "The AR name as in ar.conf (firewall-drop600), or !program.", Required = true };
        var srcip = new Option<string?>("--srcip") { Description = "The IP to act on (parameters.alert.data.srcip)." };
        var user = new Option<string?>("--user") { Description = "The account to act on (parameters.alert.data.dstuser)." };
        var alert = new Option<string?>("--alert") { Description = "A file with a whole alert JSON object to send instead of a minimal one." };
        var agent = FleetSend.CreateAgentOption();
        var nats = FleetSend.CreateNatsOption();
        var credentials = FleetSend.CreateCredentialsOption();
        var command = new Command("trigger", "Run an active response by name for an IP, a user or an alert (like agent_control -b).")
        {
            home, settings, config, role, arName, srcip, user, alert, wait, agent, nats, credentials,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            if (BuildMessage(parse.GetValue(arName)!, parse.GetValue(srcip), parse.GetValue(user), parse.GetValue(alert), io) is not { } body)
            {
                return ExitCodes.InvalidInput;
            }

            if (parse.GetValue(agent) is { } agents)
            {
                return await FleetSend.SendAsync(layout, agents, parse.GetValue(nats), parse.GetValue(credentials), Fleet.FleetNames.ExecKind, body, io, ct);
            }

            var (reply, local, exit) = await EngineFactory.RouteAsync(layout, new ControlRequest("exec", Convert.ToBase64String(body)), parse.GetValue(config),
                parse.GetValue(role), TimeSpan.FromSeconds(parse.GetValue(wait)), io, async (engine, token) => ControlServer.ToControl(await engine.ExecuteAsync(new ExecRequest(body, "trigger"), token)), ct);
            if (exit is { } failed)
            {
                return failed;
            }

            ControlOutcome outcome;
            if (reply is not null)
            {
                if (!reply.Ok || reply.Outcomes.Count == 0)
                {
                    io.Error.WriteLine($"riposte daemon: {reply.Error}");
                    return ExitCodes.InvalidInput;
                }

                outcome = reply.Outcomes[0];
            }
            else
            {
                outcome = local!;
                io.Error.WriteLine("(no daemon running: the delete runs when `riposte serve` next starts, or with `riposte revoke`)");
            }

            io.Out.WriteLine($"{outcome.Result}: {outcome.RKey ?? "-"}: {outcome.Detail}");
            return outcome.Result is "continued" or "aborted" or "nokeys" ? ExitCodes.Ok : ExitCodes.InvalidInput;
        });
        return command;
    }

    /// <summary>agent_control's message for 4.2+ agents, with the alert Riposte was given; null (reported) when input is unsafe.</summary>
    internal static byte[]? BuildMessage(string arName, string? srcip, string? user, string? alertFile, CliIo io)
    {
        var body = TriggerMessage.Build(arName, srcip, user, alertFile is null ? null : File.ReadAllBytes(alertFile), alertFile ?? "", [], "", out var error);
        if (body is null)
        {
            io.Error.WriteLine(error);
        }

        return body;
    }
}
