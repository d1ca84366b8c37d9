using System.CommandLine;
using Riposte.Cli.Daemon;
using Riposte.Cli.Doctor;
using Riposte.Sdk;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte doctor</c>: one checklist of what would stop <c>serve</c> from working on this host (layout and
/// permissions, configuration, programs, firewall tools, the exec queue, the state, the clock), each problem with its
/// fix. It only reads; exit 0 when nothing fails (warnings allowed), else <see cref="ExitCodes.InvalidInput"/>.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var config = new Option<string[]>("--config", "-c") { Description = "ossec.conf files, as given to serve (default: the settings' list under home, etc/ossec.conf)." };
        var role = HomeOptions.CreateRole();
        var deep = new Option<bool>("--deep")
        {
            Description = "Also run every configured program through script-test (add, continue, abort, delete of 203.0.113.45 in a temporary home): the programs really run.",
        };
        var toolPath = new Option<string?>("--tool-path")
        {
            Description = "Where to look for nft, ipset, iptables... (default: $PATH, where the programs serve starts look them up).",
        };
        var format = HomeOptions.CreateFormat();
        var command = new Command("doctor", "Check this host for what would stop Riposte from working, and say how to fix each problem. Only reads; exit 0 when nothing fails.")
        {
            home, settings, config, role, deep, toolPath, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(format) == "json";
            var resolveErrors = new StringWriter { NewLine = "\n" };
            var layout = RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io with { Error = resolveErrors });
            DoctorReport report;
            if (layout is null)
            {
                var details = resolveErrors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                report = new DoctorReport(parse.GetValue(home) ?? "(no home)",
                [
                    new DoctorSection("home", "Home and settings",
                        [CheckResult.Fail("home", "home", "the home or its settings cannot be used: nothing else was checked", "correct what the lines below say (pass --home DIR for another home)", details)]),
                ]);
            }
            else
            {
                var settingsFile = parse.GetValue(settings) ?? Path.Combine(layout.Home, "etc", "riposte.json");
                // A fleet agent's home (`riposte agent` reads it as execd does) is checked as one unless told otherwise.
                var configRole = parse.GetResult(role) is { Implicit: false } || layout.Settings.Fleet.Role != Config.Settings.FleetRole.Agent
                    ? parse.GetValue(role)
                    : Config.ConfigRole.Agent;
                var context = new DoctorContext(layout, parse.GetValue(config) ?? [], configRole, parse.GetValue(deep),
                    parse.GetValue(toolPath) ?? Environment.GetEnvironmentVariable("PATH") ?? ExternalTool.DefaultSearchPath, TimeProvider.System)
                {
                    SettingsFile = File.Exists(settingsFile) ? settingsFile : null,
                };
                report = await DoctorRunner.Default().RunAsync(context, ct);
            }

            io.Out.Write(json ? DoctorJsonWriter.Write(report) + "\n" : DoctorTextWriter.Write(report));
            return report.Healthy ? ExitCodes.Ok : ExitCodes.InvalidInput;
        });
        return command;
    }
}
