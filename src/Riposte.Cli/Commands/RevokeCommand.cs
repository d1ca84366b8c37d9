using System.CommandLine;
using Riposte.Cli.Daemon;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte revoke</c>: runs the delete now and removes the entry (Wazuh has no way to undo a block).</summary>
internal static class RevokeCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var config = new Option<string[]>("--config", "-c") { Description = "ossec.conf files (default: the settings' list under home)." };
        var role = HomeOptions.CreateRole();
        var wait = HomeOptions.CreateDaemonWait();
        var key = new Argument<string>("key") { Description = "An rkey (firewall-drop-1.2.3.4) or one of its keys (1.2.3.4)." };
        var agent = FleetSend.CreateAgentOption();
        var nats = FleetSend.CreateNatsOption();
        var credentials = FleetSend.CreateCredentialsOption();
        var command = new Command("revoke", "Undo an active response now: run its delete and remove it from the timeout list.")
        {
            home, settings, config, role, key, wait, agent, nats, credentials,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var target = parse.GetValue(key)!;
            if (parse.GetValue(agent) is { } agents)
            {
                // An agent looks the key up in its own state, as a local revoke does; only the bytes travel.
                if (target.Length is 0 or > 512 || target.Any(char.IsControl))
                {
                    io.Error.WriteLine("the key must be 1 to 512 characters without control characters");
                    return ExitCodes.InvalidInput;
                }

                return await FleetSend.SendAsync(layout, agents, parse.GetValue(nats), parse.GetValue(credentials), Fleet.FleetNames.RevokeKind,
                    System.Text.Encoding.UTF8.GetBytes(target), io, ct);
            }

            var (reply, local, exit) = await EngineFactory.RouteAsync(layout, new ControlRequest("revoke", Key: target), parse.GetValue(config), parse.GetValue(role),
                TimeSpan.FromSeconds(parse.GetValue(wait)), io, async (engine, token) => (IReadOnlyList<ControlOutcome>)[.. (await engine.RevokeAsync(target, token)).Select(ControlServer.ToControl)], ct);
            if (exit is { } failed)
            {
                return failed;
            }

            IReadOnlyList<ControlOutcome> outcomes;
            if (reply is not null)
            {
                if (!reply.Ok)
                {
                    io.Error.WriteLine($"riposte daemon: {reply.Error}");
                    return ExitCodes.InvalidInput;
                }

                outcomes = reply.Outcomes;
            }
            else
            {
                outcomes = local!;
            }

            if (outcomes.Count == 0)
            {
                io.Error.WriteLine($"no active response matches '{target}'");
                return ExitCodes.InvalidInput;
            }

            foreach (var outcome in outcomes)
            {
                io.Out.WriteLine($"{outcome.RKey}: {outcome.Detail}");
            }

            return outcomes.All(o => o.Result == "continued") ? ExitCodes.Ok : ExitCodes.InvalidInput;
        });
        return command;
    }
}
