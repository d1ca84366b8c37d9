using System.CommandLine;
using System.Text;
using Riposte.Cli.Daemon;
using Riposte.Cli.ScriptTest;
using Riposte.Protocol.Json;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte script-test</c>: runs any response program through wazuh-execd's protocol (add answered continue, the
/// same add answered abort, delete) and names every protocol violation, so a custom script can be debugged before
/// it silently hangs or never reverts under Wazuh.
/// </summary>
internal static class ScriptTestCommand
{
    /// <summary>Exit code when the program violates the protocol.</summary>
    public const int Violation = 2;

    public static Command Create(CliIo io)
    {
        var program = new Argument<string>("program")
        {
            Description = "The response program (any language): a path to an executable, or with --home its name in HOME/active-response/bin.",
        };
        var alert = new Option<string?>("--alert")
        {
            Description = "A file with the alert to send (a JSON object, or alerts.json lines: the first one is used). Default: an sshd brute-force alert (rule 5712) from 203.0.113.45.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds each step may take, control line included (execd itself waits forever).",
            DefaultValueFactory = _ => 5,
        };
        var home = new Option<string?>("--home")
        {
            Description = "Run in this Wazuh home (the program must be in HOME/active-response/bin) instead of a temporary one.",
        };
        var stateless = new Option<bool>("--stateless")
        {
            Description = "Test a stateless program: a single add, and printing nothing is fine.",
        };
        var format = HomeOptions.CreateFormat();
        var command = new Command(
            "script-test",
            "Run a response program through Wazuh's execd protocol (add, continue, abort, delete) and report every protocol violation. The program really runs: test blocking programs where acting on 203.0.113.45 (TEST-NET-3) is harmless.")
        {
            program, alert, timeout, home, stateless, format,
        };
        command.SetAction((parse, ct) => RunAsync(
            io,
            parse.GetValue(program)!,
            parse.GetValue(alert),
            parse.GetValue(timeout),
            parse.GetValue(home),
            parse.GetValue(stateless),
            parse.GetValue(format) == "json",
            ct));
        return command;
    }

    private static async Task<int> RunAsync(CliIo io, string program, string? alertFile, double timeout, string? homeDir, bool stateless, bool json, CancellationToken ct)
    {
        if (!double.IsFinite(timeout) || timeout <= 0 || timeout > TimeSpan.FromDays(1).TotalSeconds)
        {
            io.Error.WriteLine($"--timeout {timeout}: must be a positive number of seconds");
            return ExitCodes.Usage;
        }

        if (ReadAlert(alertFile, io) is not { } alertJson)
        {
            return ExitCodes.Usage;
        }

        if (ScriptTester.WhyUnusable(alertJson) is { } unusable)
        {
            io.Error.WriteLine($"--alert {alertFile}: {unusable}");
            return ExitCodes.InvalidInput;
        }

        using var home = ScriptHome.Prepare(program, homeDir, out var error);
        if (home is null)
        {
            io.Error.WriteLine(error);
            return ExitCodes.Usage;
        }

        var options = new ScriptTestOptions(program, alertJson, TimeSpan.FromSeconds(timeout), stateless);
        var report = await new ScriptTester(home, options, TimeProvider.System).RunAsync(ct);
        io.Out.Write(json ? ReportWriter.ToJson(report) + "\n" : ReportWriter.ToText(report));
        return report.Conforms ? ExitCodes.Ok : Violation;
    }

    /// <summary>The alert object to send; null (reported) when the file is missing or holds no JSON object.</summary>
    private static byte[]? ReadAlert(string? alertFile, CliIo io)
    {
        if (alertFile is null)
        {
            return Encoding.UTF8.GetBytes(DefaultAlert.Json);
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(alertFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"--alert {alertFile}: {ex.Message}");
            return null;
        }

        if (CJsonNode.TryParse(content, out var whole) && whole is CJsonObject)
        {
            return content;
        }

        // An alerts.json excerpt: one alert per line.
        var firstLine = Encoding.UTF8.GetString(content).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (firstLine is not null && CJsonNode.TryParse(Encoding.UTF8.GetBytes(firstLine), out var line, out _) && line is CJsonObject)
        {
            return Encoding.UTF8.GetBytes(firstLine);
        }

        io.Error.WriteLine($"--alert {alertFile}: not a JSON object (nor JSON lines starting with one)");
        return null;
    }
}
