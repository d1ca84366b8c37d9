using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// The JSON body <c>webhook</c> posts, written with <see cref="Utf8JsonWriter"/> (no reflection, AOT-safe):
/// <code>
/// {"text":"...","timestamp":"2025-11-27T10:11:58.000Z","command":"add","program":"active-response/bin/webhook",
///  "origin":{"name":"node01","module":"wazuh-execd"},"rule":{"id":"5712","level":10,"description":"..."},
///  "agent":{"id":"001","name":"web-01","ip":"10.0.1.21"},"srcip":"203.0.113.45","dstuser":null,
///  "alert":{"id":"1764238317.108876","timestamp":"...","location":"/var/log/auth.log"}}
/// </code>
/// <c>text</c> makes it a valid Slack (and Mattermost, Rocket.Chat, Teams-workflow) incoming-webhook message; in it
/// <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are escaped as Slack requires, so alert text cannot forge links or mentions.
/// Values are reported as the alert has them (this program acts on nothing): <c>srcip</c> and <c>dstuser</c> are not
/// validated, and absent values are null.
/// </summary>
internal static class WebhookPayload
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body for one run.</summary>
    public static byte[] Build(ResponseMessage message, string command, string program, DateTimeOffset now)
    {
        var ruleId = Text(message, "parameters", "alert", "rule", "id");
        var level = message.Find("parameters", "alert", "rule", "level");
        var description = message.GetString("parameters", "alert", "rule", "description");
        var agentId = Text(message, "parameters", "alert", "agent", "id");
        var agentName = message.GetString("parameters", "alert", "agent", "name");
        var srcip = message.RawSourceIp;
        var dstuser = message.RawDestinationUser;

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            json.WriteString("text", Summary(ruleId, level, description, agentId, agentName, srcip, dstuser, program, command));
            json.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("command", command);
            json.WriteString("program", message.Program ?? program);
            json.WriteStartObject("origin");
            WriteNullable(json, "name", message.OriginName);
            WriteNullable(json, "module", message.OriginModule);
            json.WriteEndObject();
            json.WriteStartObject("rule");
            WriteNullable(json, "id", ruleId);
            if (level is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var levelNumber))
            {
                json.WriteNumber("level", levelNumber);
            }
            else
            {
                WriteNullable(json, "level", level is { } value ? CStringOrRaw(value) : null);
            }

            WriteNullable(json, "description", description);
            json.WriteEndObject();
            json.WriteStartObject("agent");
            WriteNullable(json, "id", agentId);
            WriteNullable(json, "name", agentName);
            WriteNullable(json, "ip", message.GetString("parameters", "alert", "agent", "ip"));
            json.WriteEndObject();
            WriteNullable(json, "srcip", srcip);
            WriteNullable(json, "dstuser", dstuser);
            json.WriteStartObject("alert");
            WriteNullable(json, "id", message.GetString("parameters", "alert", "id"));
            WriteNullable(json, "timestamp", message.GetString("parameters", "alert", "timestamp"));
            WriteNullable(json, "location", message.GetString("parameters", "alert", "location"));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Summary(string? ruleId, JsonElement? level, string? description, string? agentId, string? agentName, string? srcip, string? dstuser, string program, string command)
    {
        var text = new StringBuilder("Wazuh alert");
        if (ruleId is not null)
        {
            text.Append(" rule ").Append(ruleId);
        }

        if (level is { } value && CStringOrRaw(value) is { } levelText)
        {
            text.Append(" (level ").Append(levelText).Append(')');
        }

        if (description is not null)
        {
            text.Append(": ").Append(description);
        }

        if (agentId is not null || agentName is not null)
        {
            text.Append(" | agent ").AppendJoin(' ', new[] { agentId, agentName }.Where(part => part is not null));
        }

        if (srcip is not null)
        {
            text.Append(" | srcip ").Append(srcip);
        }

        if (dstuser is not null)
        {
            text.Append(" | user ").Append(dstuser);
        }

        text.Append(" | ").Append(program).Append(' ').Append(command);
        return text.ToString().Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>A string value, or a number's text (rule ids are strings in alerts.json, numbers in some hand-made messages).</summary>
    private static string? Text(ResponseMessage message, params ReadOnlySpan<string> path) =>
        message.Find(path) is { } value ? CStringOrRaw(value) : null;

    private static string? CStringOrRaw(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
