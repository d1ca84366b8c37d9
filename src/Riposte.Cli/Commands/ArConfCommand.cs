using System.CommandLine;
using Riposte.Protocol;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte ar-conf</c>: prints the etc/shared/ar.conf Wazuh would generate.</summary>
internal static class ArConfCommand
{
    public static Command Create(CliIo io)
    {
        var config = ConfigOptions.CreateConfigOption();
        var command = new Command("ar-conf", "Print the etc/shared/ar.conf that wazuh-analysisd would write for this configuration.") { config };
        command.SetAction(parse =>
        {
            if (ConfigOptions.LoadOrReport(parse.GetValue(config)!, io) is not { } loaded)
            {
                return ExitCodes.InvalidInput;
            }

            io.Out.Write(ArConfWriter.Write(loaded));
            return ExitCodes.Ok;
        });
        return command;
    }
}
