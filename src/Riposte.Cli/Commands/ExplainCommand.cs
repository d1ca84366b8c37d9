using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Alerts;
using Riposte.Cli.Daemon;
using Riposte.Config.Settings;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Remoted;
using Riposte.Fleet.Routing;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte explain</c>: for each alert, which responses fire (in configuration order) and why the others did not.
/// With <c>--home</c> or <c>--settings</c> on a fleet manager (a registry, or <c>fleet.role</c> manager), also where
/// each one goes: the manager, Riposte agents, Wazuh agents via remoted, or nowhere.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(CliIo io)
    {
        var config = ConfigOptions.CreateConfigOption();
        var alerts = new Option<string>("--alerts", "-a")
        {
            Description = "alerts.json-style JSON lines, or - for standard input.",
            Required = true,
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "text (for people) or json (one object per input line).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var home = HomeOptions.CreateHome();
        home.Description = "The Wazuh home; with it (or --settings), a fleet manager's explanation shows each response's destinations.";
        var settings = HomeOptions.CreateSettings();
        var command = new Command("explain", "Show which active responses each alert triggers, where they run, and why other blocks do not fire.")
        {
            config, alerts, format, home, settings,
        };
        command.SetAction(parse => Run(io, parse.GetValue(config)!, parse.GetValue(alerts)!, parse.GetValue(format) == "json",
            parse.GetValue(home), parse.GetValue(settings)));
        return command;
    }

    /// <summary>The fleet routing a manager would apply, or null when this is no fleet manager.</summary>
    private sealed record FleetView(FleetRouter Router, RiposteSettings Settings);

    private static int Run(CliIo io, string[] configFiles, string alertsPath, bool json, string? homeDir, string? settingsFile)
    {
        if (ConfigOptions.LoadOrReport(configFiles, io) is not { } loaded)
        {
            return ExitCodes.InvalidInput;
        }

        FleetView? fleet = null;
        if (homeDir is not null || settingsFile is not null)
        {
            if (RiposteHome.Resolve(homeDir, settingsFile, io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var registryPath = FleetPaths.For(layout.Home, layout.StatePath).Registry;
            if (File.Exists(registryPath) || layout.Settings.Fleet.Role == FleetRole.Manager)
            {
                AgentRegistry registry;
                try
                {
                    registry = AgentRegistry.Load(registryPath);
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    io.Error.WriteLine(ex.Message);
                    return ExitCodes.InvalidInput;
                }

                fleet = new FleetView(new FleetRouter(registry, layout.Settings.Fleet.RemotedQueue is not null), layout.Settings);
            }
        }

        Stream input;
        try
        {
            input = alertsPath == "-" ? io.OpenInput() : File.OpenRead(alertsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{alertsPath}: {ex.Message}");
            return ExitCodes.InvalidInput;
        }

        var matcher = new ArMatcher(loaded);
        var malformed = 0;
        using (input)
        {
            foreach (var line in new JsonLinesReader(input).ReadAll())
            {
                if (line.Alert is null)
                {
                    malformed++;
                    io.Error.WriteLine($"{alertsPath}:{line.LineNumber}: malformed alert at byte offset {line.ByteOffset}: {line.Error}");
                    if (json)
                    {
                        io.Out.WriteLine(ErrorJson(line));
                    }

                    continue;
                }

                var explanation = matcher.Explain(line.Alert);
                var destinations = fleet is null ? null : Destinations(fleet, explanation);
                io.Out.WriteLine(json ? ToJson(loaded, line.LineNumber, explanation, destinations) : ToText(line.LineNumber, explanation, destinations));
            }
        }

        return malformed > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
    }

    /// <summary>Each action's destinations, in action order.</summary>
    private static List<IReadOnlyList<RoutedDestination>> Destinations(FleetView fleet, AlertExplanation explanation) =>
    [
        .. explanation.Actions.Select(a => fleet.Router.Explain(a, explanation.Alert,
            fleet.Settings.PolicyFor(a.Response.Name, a.Response.CommandName ?? a.Response.Name).Route)),
    ];

    private static string ErrorJson(AlertLine line)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteNumber("line", line.LineNumber);
            writer.WriteString("error", $"byte offset {line.ByteOffset}: {line.Error}");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The JSON <c>explain --format json</c> prints for one alert without fleet destinations (the HTTP API's <c>POST /api/v1/explain</c>).</summary>
    internal static string ExplainJson(Config.WazuhConfig config, Alert alert) => ToJson(config, 1, new ArMatcher(config).Explain(alert), null);

    private static string ToJson(Config.WazuhConfig config, long lineNumber, AlertExplanation explanation, List<IReadOnlyList<RoutedDestination>>? destinations)
    {
        var alert = explanation.Alert;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteNumber("line", lineNumber);
            WriteNullableString(writer, "alert_id", alert.Id);
            WriteNullableString(writer, "rule_id", alert.RuleId);
            writer.WriteStartArray("actions");
            for (var i = 0; i < explanation.Actions.Count; i++)
            {
                var action = explanation.Actions[i];
                var response = action.Response;
                writer.WriteStartObject();
                writer.WriteString("ar", response.Name);
                writer.WriteString("command", response.CommandName);
                writer.WriteString("executable", response.Executable);
                writer.WriteString("location", response.LocationText);
                writer.WriteString("target", action.Target.ToString());
                writer.WriteNumber("timeout", response.Timeout);
                writer.WritePropertyName("message");
                writer.WriteRawValue(ArMessageBuilder.Build(config, response, alert), skipInputValidation: true);
                if (destinations is not null)
                {
                    WriteDestinations(writer, destinations[i]);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("skipped");
            foreach (var skipped in explanation.Skipped)
            {
                writer.WriteStartObject();
                writer.WriteString("ar", skipped.Response.Name);
                writer.WriteString("reason", skipped.Reason.ToName());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteDestinations(Utf8JsonWriter writer, IReadOnlyList<RoutedDestination> destinations)
    {
        writer.WriteStartArray("destinations");
        foreach (var (destination, because) in destinations)
        {
            writer.WriteStartObject();
            switch (destination)
            {
                case ManagerDestination:
                    writer.WriteString("kind", "manager");
                    break;
                case RiposteAgentDestination riposte:
                    writer.WriteString("kind", "riposte_agent");
                    writer.WriteString("agent", riposte.Id);
                    break;
                case WazuhAgentDestination wazuh:
                    writer.WriteString("kind", "wazuh_agent");
                    writer.WriteString("agent", wazuh.Id);
                    writer.WriteString("flags", wazuh.Flags);
                    writer.WriteString("body", BodyName(RemotedFraming.ProtocolFor(wazuh.WazuhVersion)));
                    break;
                case UndeliverableDestination undeliverable:
                    writer.WriteString("kind", "undeliverable");
                    writer.WriteString("agent", undeliverable.Id);
                    writer.WriteString("reason", undeliverable.Reason);
                    break;
            }

            writer.WriteString("because", because);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string BodyName(AgentProtocol protocol) => protocol switch
    {
        AgentProtocol.Legacy => "legacy",
        AgentProtocol.EscapedJson => "escaped_json",
        _ => "json",
    };

    /// <summary>
    /// One line per run of destinations of the same kind and reason (<c>→ agents 001, 002 (group web)</c>), one per
    /// undeliverable agent, so a long <c>all</c> stays readable.
    /// </summary>
    private static IEnumerable<string> DestinationLines(IReadOnlyList<RoutedDestination> destinations)
    {
        if (destinations.Count == 0)
        {
            yield return "→ nowhere: no enrolled agent matches";
            yield break;
        }

        for (var i = 0; i < destinations.Count;)
        {
            var (first, because) = destinations[i];
            if (first is UndeliverableDestination undeliverable)
            {
                yield return $"→ undeliverable: {undeliverable.Reason} ({because})";
                i++;
                continue;
            }

            if (first is ManagerDestination)
            {
                yield return because == "manager" ? "→ manager" : $"→ manager ({because})";
                i++;
                continue;
            }

            var ids = new List<string>();
            var j = i;
            while (j < destinations.Count && destinations[j].Because == because && destinations[j].Destination.GetType() == first.GetType()
                && (first is not WazuhAgentDestination w || (destinations[j].Destination is WazuhAgentDestination o && o.Flags == w.Flags)))
            {
                ids.Add(destinations[j].Destination.AgentId!);
                j++;
            }

            var noun = ids.Count == 1 ? "agent" : "agents";
            yield return first is WazuhAgentDestination wazuh
                ? $"→ Wazuh {noun} {string.Join(", ", ids)} via remoted ({wazuh.Flags}; {because})"
                : $"→ {noun} {string.Join(", ", ids)} ({because})";
            i = j;
        }
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string ToText(long lineNumber, AlertExplanation explanation, List<IReadOnlyList<RoutedDestination>>? destinations)
    {
        var alert = explanation.Alert;
        var text = new StringBuilder();
        text.Append($"line {lineNumber}: alert {Printable(alert.Id ?? "-")}, rule {Printable(alert.RuleId ?? "-")} (level {alert.RuleLevel}), agent {Printable(alert.AgentId ?? "-")}");
        if (alert.SrcIp is not null)
        {
            text.Append($", srcip {Printable(alert.SrcIp)}");
        }

        if (alert.DstUser is not null)
        {
            text.Append($", dstuser {Printable(alert.DstUser)}");
        }

        text.AppendLine();
        if (explanation.Actions.Count == 0)
        {
            text.AppendLine("  no active response fires");
        }

        for (var i = 0; i < explanation.Actions.Count; i++)
        {
            var action = explanation.Actions[i];
            var r = action.Response;
            var timeout = r.Timeout == 0 ? "stateless" : $"timeout {r.Timeout}s";
            text.AppendLine($"  FIRES {r.Name} -> {action.Target} (program {r.Executable}, location '{r.LocationText}', {timeout}; block at {r.Position})");
            if (destinations is not null)
            {
                foreach (var line in DestinationLines(destinations[i]))
                {
                    text.AppendLine("        " + line);
                }
            }
        }

        foreach (var skipped in explanation.Skipped)
        {
            text.AppendLine($"  skip  {skipped.Response.Name}: {skipped.Reason.ToName()}: {Printable(skipped.Detail)} (block at {skipped.Response.Position})");
        }

        return text.ToString().TrimEnd('\n', '\r');
    }

    /// <summary>
    /// Alert text with control characters shown as escapes: a field is attacker-controlled, and raw escape sequences
    /// would drive the reader's terminal (or split one explanation into two lines).
    /// </summary>
    private static string Printable(string? value)
    {
        if (value is null || !value.AsSpan().ContainsAnyInRange('\0', '\u001f') && !value.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return value ?? "";
        }

        var text = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' or (>= '\u007f' and <= '\u009f') => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
