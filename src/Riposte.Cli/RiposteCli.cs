using System.CommandLine;
using Riposte.Cli.Commands;

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
        root.Subcommands.Add(StatusCommand.Create(io));
        root.Subcommands.Add(RevokeCommand.Create(io));
        root.Subcommands.Add(TriggerCommand.Create(io));
        root.Subcommands.Add(HistoryCommand.Create(io));
        root.Subcommands.Add(ScriptTestCommand.Create(io));
        root.Subcommands.Add(InstallProgramsCommand.Create(io));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default)
    {
        var root = Build(io);
        var configuration = new InvocationConfiguration { Output = io.Out, Error = io.Error };
        var exit = await root.Parse(args).InvokeAsync(configuration, cancellationToken);
        await io.Out.FlushAsync(cancellationToken);
        return exit;
    }
}
