namespace Riposte.Alerts;

/// <summary>
/// A Wazuh alert (one alerts.json object). The original JSON is kept untouched (it is passed on to programs);
/// the fields matching needs are extracted once, when the alert is parsed.
/// </summary>
public sealed class Alert
{
    internal Alert(ReadOnlyMemory<byte> json)
    {
        Json = json;
    }

    /// <summary>The alert object exactly as read (UTF-8).</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary><c>id</c>, e.g. <c>1764238317.108876</c>.</summary>
    public string? Id { get; internal set; }

    /// <summary><c>rule.id</c> as written (a string in alerts.json).</summary>
    public string? RuleId { get; internal set; }

    /// <summary><c>rule.id</c> as analysisd's integer sigid (atoi).</summary>
    public int RuleIdNumber { get; internal set; }

    /// <summary><c>rule.level</c>; 0 when absent.</summary>
    public int RuleLevel { get; internal set; }

    /// <summary>
    /// The rule's raw group string as analysisd holds it: <c>rule.groups</c> followed by the compliance arrays
    /// with their prefixes (e.g. <c>pci_dss_11.4</c>), each item followed by a comma.
    /// </summary>
    public string GroupString { get; internal set; } = "";

    /// <summary><c>agent.id</c>; null when absent.</summary>
    public string? AgentId { get; internal set; }

    /// <summary><c>agent.name</c>.</summary>
    public string? AgentName { get; internal set; }

    /// <summary><c>agent.ip</c>.</summary>
    public string? AgentIp { get; internal set; }

    /// <summary><c>data.srcip</c>: the decoded static source IP field.</summary>
    public string? SrcIp { get; internal set; }

    /// <summary><c>data.dstuser</c>: the decoded static destination user field.</summary>
    public string? DstUser { get; internal set; }

    /// <summary><c>location</c> (the log location, e.g. <c>/var/log/auth.log</c>).</summary>
    public string? Location { get; internal set; }

    /// <summary><c>decoder.name</c>.</summary>
    public string? DecoderName { get; internal set; }

    /// <summary><c>syscheck.path</c>.</summary>
    public string? SyscheckPath { get; internal set; }

    /// <summary><c>data.win.eventdata.ipAddress</c> (Windows event channel).</summary>
    public string? WinIpAddress { get; internal set; }

    /// <summary><c>data.win.eventdata.destinationIp</c> (Windows event channel).</summary>
    public string? WinDestinationIp { get; internal set; }

    /// <summary>The agent id analysisd routes on; events without an agent come from the manager (<c>000</c>).</summary>
    public string RoutingAgentId => AgentId ?? "000";
}
