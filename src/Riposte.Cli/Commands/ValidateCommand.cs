using System.CommandLine;
using Riposte.Config;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte validate</c>: reads configuration and prints every finding as <c>FILE:LINE:COL: level (CODE): TEXT</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliIo io)
    {
        var config = ConfigOptions.CreateConfigOption();
        var command = new Command("validate", "Check Wazuh ossec.conf files the way Wazuh reads them; exit 2 on any error.") { config };
        command.SetAction(parse =>
        {
            var result = OssecConfigReader.ReadFiles(parse.GetValue(config)!);
            foreach (var diagnostic in result.Diagnostics)
            {
                io.Out.WriteLine(diagnostic.ToString());
            }

            var errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            var warnings = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
            if (result.Config is { } loaded)
            {
                var disabled = loaded.Blocks.Count(b => b.Status != ResponseStatus.Active);
                io.Error.WriteLine($"{loaded.Commands.Count} commands, {loaded.ActiveResponses.Count} active responses ({disabled} disabled or dropped), {errors} errors, {warnings} warnings");
            }
            else
            {
                io.Error.WriteLine($"invalid configuration: {errors} errors, {warnings} warnings");
            }

            return errors > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
        });
        return command;
    }
}
