using System.CommandLine;
using Riposte.Cli.Commands;
using Riposte.State;

namespace Riposte.Cli;

/// <summary>Builds the <c>riposte</c> command tree and runs it.</summary>
internal static class RiposteCli
{
    public static RootCommand Build(CliIo io)
    {
        var root = new RootCommand("Riposte: a durable, Wazuh-compatible active response engine.");
        root.Subcommands.Add(ValidateCommand.Create(io));
        root.Subcommands.Add(ExplainCommand.Create(io));
        root.Subcommands.Add(ArConfCommand.Create(io));
        root.Subcommands.Add(ServeCommand.Create(io));
        root.Subcommands.Add(AgentCommand.Create(io));
        root.Subcommands.Add(StatusCommand.Create(io));
        root.Subcommands.Add(RevokeCommand.Create(io));
        root.Subcommands.Add(TriggerCommand.Create(io));
        root.Subcommands.Add(HistoryCommand.Create(io));
        root.Subcommands.Add(TopCommand.Create(io));
        root.Subcommands.Add(AgentsCommand.Create(io));
        root.Subcommands.Add(ScriptTestCommand.Create(io));
        root.Subcommands.Add(InstallProgramsCommand.Create(io));
        root.Subcommands.Add(FleetCommand.Create(io));
        root.Subcommands.Add(DoctorCommand.Create(io));
        root.Subcommands.Add(NotifyCommand.Create(io));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default)
    {
        var root = Build(io);
        // The default handler would print a state error as an "Unhandled exception" stack trace with exit code 1.
        var configuration = new InvocationConfiguration { Output = io.Out, Error = io.Error, EnableDefaultExceptionHandler = false };
        int exit;
        try
        {
            exit = await root.Parse(args).InvokeAsync(configuration, cancellationToken);
        }
        catch (StateStoreException e)
        {
            // One place for every command: e.g. a non-root user running status, history, trigger or revoke.
            io.Out.Flush();
            io.Error.WriteLine($"riposte: {e.Message}");
            return ExitCodes.StateUnavailable;
        }
        catch (Exception e)
        {
            // What System.CommandLine's default handler does for everything else.
            if (e is not OperationCanceledException)
            {
                io.Error.WriteLine($"Unhandled exception: {e}");
            }

            return 1;
        }

        await io.Out.FlushAsync(cancellationToken);
        return exit;
    }
}
