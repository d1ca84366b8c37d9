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
        var command = new Command("revoke", "Undo an active response now: run its delete and remove it from the timeout list.") { home, settings, config, role, key, wait };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var target = parse.GetValue(key)!;
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
