using System.Text;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Fleet.Routing;
using Riposte.Protocol;

namespace Riposte.Fleet.Remoted;

/// <summary>
/// The exact datagram analysisd writes to <c>queue/alerts/ar</c> for wazuh-remoted (<c>get_exec_msg</c>, spec §3.4):
/// <c>(local_source) [] </c> + three flag characters + space + the agent id (<c>%.3d</c>) + space + the body, the whole
/// message cut at <see cref="MaxMessageBytes"/>. The body depends on the agent's version (§3.3 step 3).
/// </summary>
public static class RemotedFraming
{
    /// <summary>analysisd's message buffer (<c>OS_MAXSTR</c>): longer messages are cut, as Wazuh does (Q18).</summary>
    public const int MaxMessageBytes = 65536;

    /// <summary>
    /// The body an agent of <paramref name="wazuhVersion"/> understands. Accepts Wazuh's <c>Wazuh v4.2.3</c> and the
    /// registry's <c>4.2.3</c>. A version that is absent or cannot be read means 4.2.5 or later (plain JSON): analysisd
    /// would skip such an agent, but an agent Riposte was told about is one the operator wants reached.
    /// </summary>
    public static AgentProtocol ProtocolFor(string? wazuhVersion)
    {
        if (string.IsNullOrWhiteSpace(wazuhVersion))
        {
            return AgentProtocol.Json;
        }

        var text = wazuhVersion.Contains('v', StringComparison.Ordinal) ? wazuhVersion : "v" + wazuhVersion.Trim();
        return AgentProtocols.ForVersion(text) ?? AgentProtocol.Json;
    }

    /// <summary>The datagram for <paramref name="destination"/>: its flags and id, the body its version needs.</summary>
    /// <param name="destination">A Wazuh agent from <see cref="FleetRouter"/>.</param>
    /// <param name="config">The manager's configuration (its <c>origin.name</c>).</param>
    /// <param name="response">The triggered block.</param>
    /// <param name="alert">The alert that triggered it.</param>
    public static byte[] Build(WazuhAgentDestination destination, WazuhConfig config, ActiveResponseDefinition response, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var body = ArMessageBuilder.BuildFor(ProtocolFor(destination.WazuhVersion), config, response, alert);
        return Frame(destination.Flags, destination.Id, body);
    }

    /// <summary>
    /// <c>(local_source) [] &lt;flags&gt; &lt;id&gt; &lt;body&gt;</c>, cut at <see cref="MaxMessageBytes"/> bytes. The cut
    /// is by bytes, as C's <c>snprintf</c> cuts, even inside a UTF-8 sequence.
    /// </summary>
    /// <param name="flags">Three characters from <see cref="ArQueueHeader.Flags"/> (e.g. <c>NRN</c>).</param>
    /// <param name="agentId">The agent id as formatted for the header (three digits at least).</param>
    /// <param name="body">A JSON, escaped JSON or legacy body.</param>
    public static byte[] Frame(string flags, string agentId, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(agentId);
        if (flags.Length != 3)
        {
            throw new ArgumentException($"expected three flag characters, not '{flags}'", nameof(flags));
        }

        var header = Encoding.UTF8.GetBytes($"{ArQueueHeader.LocalSource}{flags} {agentId} ");
        var length = Math.Min(MaxMessageBytes, header.Length + body.Length);
        var message = new byte[length];
        header.AsSpan(0, Math.Min(header.Length, length)).CopyTo(message);
        if (length > header.Length)
        {
            body[..(length - header.Length)].CopyTo(message.AsSpan(header.Length));
        }

        return message;
    }
}
