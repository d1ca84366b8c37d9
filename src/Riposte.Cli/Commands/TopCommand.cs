using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Cli.Events;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte top</c>: a summary of what Riposte is doing, refreshed every few seconds from the daemon's state
/// (read-only): active responses, events per kind in the last minute and hour, the busiest responses and rules.
/// </summary>
internal static class TopCommand
{
    private const string ClearScreen = "\e[H\e[2J";

    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var interval = new Option<int>("--interval") { Description = "Seconds between refreshes. Default: 2.", DefaultValueFactory = _ => 2 };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 3600)
            {
                r.AddError("--interval must be between 1 and 3600 seconds");
            }
        });
        var once = new Option<bool>("--once") { Description = "Print the summary once and exit." };
        var command = new Command("top", "A refreshing summary: active responses, events per kind in the last minute and hour, top responses and rules.")
        {
            home, settings, interval, once,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            if (!SqliteStateStore.Exists(layout.StatePath))
            {
                io.Error.WriteLine($"no state at {layout.StatePath}: nothing has run on this home yet");
                if (layout.FallbackHint is { } hint)
                {
                    io.Error.WriteLine(hint);
                }

                return ExitCodes.Ok;
            }

            return await RunAsync(layout, TimeSpan.FromSeconds(parse.GetValue(interval)), parse.GetValue(once), io, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(RiposteHome layout, TimeSpan interval, bool once, CliIo io, CancellationToken cancellationToken)
    {
        using var stop = new StopSignals(cancellationToken);
        // Redrawn in place on a terminal; elsewhere (a pipe, a file) each summary follows the last, a blank line between.
        var redraw = !once && ReferenceEquals(io.Out, Console.Out) && !Console.IsOutputRedirected;
        try
        {
            await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, stop.Token);
            for (var first = true; ; first = false)
            {
                var summary = await TopSummary.TakeAsync(store, TimeProvider.System.GetUtcNow(), stop.Token);
                io.Out.Write(redraw ? ClearScreen : first ? "" : "\n");
                io.Out.Write(summary.Format(layout.Home));
                io.Out.Flush();
                if (once)
                {
                    return ExitCodes.Ok;
                }

                await Task.Delay(interval, TimeProvider.System, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsStopping)
        {
            return ExitCodes.Ok;
        }
    }
}
