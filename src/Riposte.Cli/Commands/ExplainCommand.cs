using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Alerts;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte explain</c>: for each alert, which responses fire (in configuration order) and why the others did not.</summary>
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
        var command = new Command("explain", "Show which active responses each alert triggers, where they run, and why other blocks do not fire.")
        {
            config, alerts, format,
        };
        command.SetAction(parse => Run(io, parse.GetValue(config)!, parse.GetValue(alerts)!, parse.GetValue(format) == "json"));
        return command;
    }

    private static int Run(CliIo io, string[] configFiles, string alertsPath, bool json)
    {
        if (ConfigOptions.LoadOrReport(configFiles, io) is not { } loaded)
        {
            return ExitCodes.InvalidInput;
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
                io.Out.WriteLine(json ? ToJson(loaded, line.LineNumber, explanation) : ToText(line.LineNumber, explanation));
            }
        }

        return malformed > 0 ? ExitCodes.InvalidInput : ExitCodes.Ok;
    }

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

    private static string ToJson(Config.WazuhConfig config, long lineNumber, AlertExplanation explanation)
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
            foreach (var action in explanation.Actions)
            {
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

    private static string ToText(long lineNumber, AlertExplanation explanation)
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

        foreach (var action in explanation.Actions)
        {
            var r = action.Response;
            var timeout = r.Timeout == 0 ? "stateless" : $"timeout {r.Timeout}s";
            text.AppendLine($"  FIRES {r.Name} -> {action.Target} (program {r.Executable}, location '{r.LocationText}', {timeout}; block at {r.Position})");
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
