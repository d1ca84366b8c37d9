using System.Globalization;
using System.Text;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Matching;

namespace Riposte.Protocol;

/// <summary>The legacy string body for agents older than 4.2.0 (<c>getActiveResponseInString</c>).</summary>
public static class LegacyMessageBuilder
{
    /// <summary>analysisd formats into a 1024-byte buffer.</summary>
    public const int MaxBytes = 1023;

    /// <summary>
    /// <c>&lt;arname&gt; &lt;dstuser|-&gt; &lt;srcip|-&gt; &lt;epoch&gt;.&lt;offset&gt; &lt;rule id&gt; &lt;location&gt; &lt;file|-&gt; &lt;extra_args|-&gt;</c>.
    /// </summary>
    public static string Build(ActiveResponseDefinition response, Alert alert) =>
        Build(response.Name, response.Command?.ExtraArgs, alert.DstUser,
            alert.SrcIp is null ? null : WhiteList.StripMappedPrefix(alert.SrcIp),
            alert.Id, alert.RuleIdNumber, EventLocation(alert),
            alert.DecoderName?.StartsWith("syscheck_", StringComparison.Ordinal) == true ? alert.SyscheckPath : null);

    /// <summary>Builds the body from its parts.</summary>
    public static string Build(string arName, string? extraArgs, string? dstUser, string? srcIp, string? alertId, int ruleId,
        string eventLocation, string? file)
    {
        var text = string.Join(' ',
            arName,
            dstUser ?? "-",
            srcIp ?? "-",
            AlertTime(alertId),
            ruleId.ToString(CultureInfo.InvariantCulture),
            eventLocation,
            file is null ? "-" : ShellEscape.Escape(file),
            extraArgs is null ? "-" : ShellEscape.Escape(extraArgs));
        return Truncate(text);
    }

    /// <summary>
    /// analysisd's full event location. alerts.json splits it into <c>agent.name</c> and <c>location</c>; the
    /// registration IP is not kept there, so agents are written as <c>(name) any-&gt;location</c>.
    /// </summary>
    public static string EventLocation(Alert alert)
    {
        var location = alert.Location ?? "";
        return alert.RoutingAgentId == "000" || alert.AgentName is null ? location : $"({alert.AgentName}) any->{location}";
    }

    private static string AlertTime(string? alertId)
    {
        if (alertId is null)
        {
            return "0.0";
        }

        var dot = alertId.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? $"{CNumbers.Atoi(alertId)}.0"
            : $"{CNumbers.Atoi(alertId.AsSpan(0, dot))}.{CNumbers.Atoi(alertId.AsSpan(dot + 1))}";
    }

    private static string Truncate(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= MaxBytes)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(bytes, 0, MaxBytes);
    }
}
