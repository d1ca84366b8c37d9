using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Events;
using Riposte.Notifications.Channels;
using Riposte.Notifications.Grouping;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte notify test NAME</c>: sends a sample event to one notification and says whether it got through.</summary>
internal static class NotifyCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var name = new Argument<string>("name") { Description = "The notification's name in the settings file." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the receiver.", DefaultValueFactory = _ => 15 };
        var test = new Command("test", "Send a sample event to a notification and report whether the receiver accepted it.") { home, settings, name, timeout };
        test.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            string wanted = parse.GetValue(name)!;
            var target = layout.Settings.Notifications.FirstOrDefault(n => n.Name == wanted);
            if (target is null)
            {
                string known = layout.Settings.Notifications.Count == 0 ? "there are no notifications" : "known: " + string.Join(", ", layout.Settings.Notifications.Select(n => n.Name));
                io.Error.WriteLine($"no notification is named \"{wanted}\" ({known})");
                return ExitCodes.InvalidInput;
            }

            var limit = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout)));
            var now = TimeProvider.System.GetUtcNow();
            var sample = new ResponseEvent(0, now, ResponseEventKinds.Add, "info", null, "firewall-drop600", "192.0.2.1", ["192.0.2.1"], "firewall-drop",
                null, "5712", 10, 0, 0, "riposte notify test: a sample event, nothing was blocked", "cli");
            var message = DigestText.Build(target.Name, [sample], 0, now);
            await using var channel = ChannelFactory.Create(target, TimeProvider.System, limit);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(limit);
            try
            {
                await channel.SendAsync(message, bounded.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                string why = ex is OperationCanceledException ? $"no answer within {limit.TotalSeconds:0} s" : ex.Message;
                io.Error.WriteLine($"{target.Name} ({target.Type.ToString().ToLowerInvariant()}): failed: {why}");
                return ExitCodes.Unavailable;
            }

            io.Out.WriteLine($"{target.Name} ({target.Type.ToString().ToLowerInvariant()}): sample event delivered");
            return ExitCodes.Ok;
        });
        return new Command("notify", "Work with notifications.") { test };
    }
}
