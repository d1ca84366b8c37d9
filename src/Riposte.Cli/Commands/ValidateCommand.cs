using System.CommandLine;
using Riposte.Config;
using Riposte.Config.Settings;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte validate</c>: reads configuration and prints every finding as <c>FILE:LINE:COL: level (CODE): TEXT</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliIo io)
    {
        var config = ConfigOptions.CreateConfigOption();
        var settings = new Option<string?>("--settings", "-s")
        {
            Description = "A Riposte settings file (riposte.json) to check as well.",
        };
        var role = Daemon.HomeOptions.CreateRole();
        var command = new Command("validate", "Check Wazuh ossec.conf files the way Wazuh reads them (and riposte.json); exit 2 on any error.")
        {
            config, settings, role,
        };
        command.SetAction(parse =>
        {
            var result = OssecConfigReader.ReadFiles(parse.GetValue(config)!, parse.GetValue(role));
            var diagnostics = result.Diagnostics.ToList();
            if (parse.GetValue(settings) is { } settingsFile)
            {
                diagnostics.AddRange(RiposteSettingsReader.ReadFile(settingsFile).Diagnostics);
            }

            foreach (var diagnostic in diagnostics)
            {
                io.Out.WriteLine(diagnostic.ToString());
            }

            var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            var warnings = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
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
