using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Engine;
using Riposte.Protocol.Execd;
using Riposte.Protocol.Json;
using Riposte.Safety;
using Riposte.Sdk;

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
        if (srcip is not null && WazuhValidation.WhyNotTargetAddress(srcip) is { } notAddress)
        {
            io.Error.WriteLine($"--srcip {DisplayText.Quote(srcip)} is refused: it {notAddress}");
            return null;
        }

        if (user is not null && WazuhValidation.WhyNotAcceptedUsername(user) is { } notUser)
        {
            io.Error.WriteLine($"--user {DisplayText.Quote(user)} is refused: it {notUser} " +
                "(letters, digits, . _ - @ and one final $; never root; no leading - + ~; no ..)");
            return null;
        }

        CJsonObject alertObject;
        if (alertFile is not null)
        {
            if (!CJsonNode.TryParse(File.ReadAllBytes(alertFile), out var node, out var error) || node is not CJsonObject parsed)
            {
                io.Error.WriteLine($"{alertFile}: not a JSON object ({error})");
                return null;
            }

            alertObject = parsed;
        }
        else
        {
            alertObject = new CJsonObject();
        }

        if (srcip is not null || user is not null)
        {
            if (alertObject.Get("data") is not CJsonObject data)
            {
                data = new CJsonObject();
                alertObject.Add("data", data);
            }

            Set(data, "srcip", srcip);
            Set(data, "dstuser", user);
        }

        var origin = new CJsonObject();
        origin.Add("name", "");
        origin.Add("module", "");
        var parameters = new CJsonObject();
        parameters.Add("extra_args", new CJsonArray());
        parameters.Add("alert", alertObject);
        var root = new CJsonObject();
        root.Add("version", new CJsonNumber(1));
        root.Add("origin", origin);
        root.Add("command", arName);
        root.Add("parameters", parameters);
        var body = root.ToUtf8Bytes();
        return AlertTargetsAreSafe(body, alertFile, io) ? body : null;

        // An --alert file is as hostile as any alert: check what a program would act on, resolved as programs resolve it
        // (win.eventdata.ipAddress, then destinationIp, then data.srcip, so --srcip cannot hide a bad eventdata value).
        // root is left to the engine, which refuses it only for programs that act on accounts.
        static bool AlertTargetsAreSafe(byte[] body, string? alertFile, CliIo io)
        {
            if (!ExecdMessage.TryParse(body, out var message, out _) || message is null)
            {
                return false;
            }

            if (message.TargetIp is { } ip && WazuhValidation.WhyNotTargetAddress(ip) is { } notAddress)
            {
                io.Error.WriteLine($"{alertFile}: the address a program would act on (data.win.eventdata.ipAddress, destinationIp or data.srcip) {DisplayText.Quote(ip)} is refused: it {notAddress}");
                return false;
            }

            if (message.DstUser is { Length: > 0 } dstuser && WazuhValidation.WhyNotAcceptedUsername(dstuser, allowRoot: true) is { } notUser)
            {
                io.Error.WriteLine($"{alertFile}: the alert's user name (dstuser) {DisplayText.Quote(dstuser)} is refused: it {notUser}");
                return false;
            }

            return true;
        }

        static void Set(CJsonObject data, string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (!data.Replace(name, value))
            {
                data.Add(name, value);
            }
        }
    }
}
