using Riposte.Protocol.Json;
using Riposte.Safety;

namespace Riposte.Protocol.Execd;

/// <summary>
/// A message as wazuh-execd handles it: parsed once, then re-printed with only <c>command</c> changed (add, continue,
/// abort, delete), <c>origin.module</c> set to <c>wazuh-execd</c> and <c>parameters.program</c> appended last.
/// </summary>
public sealed class ExecdMessage
{
    /// <summary>execd's <c>origin.module</c>.</summary>
    public const string ExecdModule = "wazuh-execd";

    /// <summary>The most characters of a refused datagram that a 1315/1316 error shows; the rest is elided.</summary>
    public const int MaxEchoed = 256;

    private readonly CJsonObject _root;
    private AlertRule? _rule;

    private ExecdMessage(CJsonObject root, string commandName)
    {
        _root = root;
        CommandName = commandName;
    }

    /// <summary>The <c>command</c> as received: an AR name such as <c>firewall-drop600</c>, or <c>!script</c>.</summary>
    public string CommandName { get; }

    /// <summary>The parsed message (mutated by <see cref="PrepareForProgram"/>).</summary>
    internal CJsonObject Root => _root;

    /// <summary>
    /// Parses a received body; on failure returns the Wazuh error (1315 or 1316) to log. The datagram in it is made safe
    /// for a one-line log (<see cref="DisplayText.Quote(string, int)"/>): Wazuh's text for an ordinary datagram, but a
    /// newline or control character in a hostile one cannot forge a line, and at most <see cref="MaxEchoed"/> characters
    /// are shown.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out ExecdMessage? message, out string? error)
    {
        message = null;
        if (!CJsonNode.TryParse(body, out var node, out _) || node is not CJsonObject root)
        {
            error = $"(1315): Invalid JSON message: {Echo(body)}";
            return false;
        }

        if (root.Get("command") is not CJsonString command)
        {
            error = $"(1316): Invalid AR command: {Echo(body)}";
            return false;
        }

        message = new ExecdMessage(root, command.Value);
        error = null;
        return true;
    }

    // A UTF-8 character is at most 4 bytes, so decoding only this prefix still fills what is shown and tells whether
    // anything is elided, without decoding a 64 KiB datagram to show 256 characters of it.
    private static string Echo(ReadOnlySpan<byte> body) =>
        DisplayText.Quote(System.Text.Encoding.UTF8.GetString(body.Length > (MaxEchoed + 1) * 4 ? body[..((MaxEchoed + 1) * 4)] : body), MaxEchoed);

    /// <summary>
    /// Applies execd's edits before the program runs: <c>origin.module</c> (only when <c>origin</c> is an object) and
    /// <c>parameters.program</c> appended (only when <c>parameters</c> is an object).
    /// </summary>
    public void PrepareForProgram(string programPath)
    {
        if (_root.Get("origin") is CJsonObject origin)
        {
            if (origin.IndexOf("module") >= 0)
            {
                origin.Replace("module", ExecdModule);
            }
            else
            {
                origin.Add("module", ExecdModule);
            }
        }

        if (_root.Get("parameters") is CJsonObject parameters)
        {
            parameters.Add("program", programPath);
        }
    }

    /// <summary>The compact bytes with <c>command</c> replaced in place by <paramref name="command"/>.</summary>
    public byte[] With(string command)
    {
        _root.Replace("command", command);
        return _root.ToUtf8Bytes();
    }

    /// <summary>The <c>parameters.alert</c> object, if any.</summary>
    public CJsonObject? Alert => (_root.Get("parameters") as CJsonObject)?.Get("alert") as CJsonObject;

    /// <summary>The alert's rule (id and level), if present.</summary>
    public AlertRule Rule => _rule ??= AlertRule.Of(Alert);

    /// <summary><c>parameters.alert.id</c>, if present.</summary>
    public string? AlertId => Alert?.GetString("id");

    /// <summary><c>parameters.alert.data.srcip</c>, if present.</summary>
    public string? SrcIp => (Alert?.Get("data") as CJsonObject)?.GetString("srcip");

    /// <summary>
    /// The address a blocking program acts on, resolved as Wazuh's helper library does: a string
    /// <c>data.win.eventdata.ipAddress</c>, else <c>...destinationIp</c>, else <c>data.srcip</c>.
    /// </summary>
    public string? TargetIp
    {
        get
        {
            var data = Alert?.Get("data") as CJsonObject;
            var eventData = (data?.Get("win") as CJsonObject)?.Get("eventdata") as CJsonObject;
            return eventData?.GetString("ipAddress") ?? eventData?.GetString("destinationIp") ?? data?.GetString("srcip");
        }
    }

    /// <summary><c>parameters.alert.data.dstuser</c>, if present.</summary>
    public string? DstUser => (Alert?.Get("data") as CJsonObject)?.GetString("dstuser");
}
