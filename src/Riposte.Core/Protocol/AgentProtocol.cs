namespace Riposte.Protocol;

/// <summary>Which message body an agent of a given Wazuh version understands.</summary>
public enum AgentProtocol
{
    /// <summary>Agents older than 4.2.0: the space-separated legacy string.</summary>
    Legacy,
    /// <summary>Agents 4.2.0 to 4.2.4: JSON with <c>! $ ' `</c> escaped as <c>\\x21</c> and friends.</summary>
    EscapedJson,
    /// <summary>Agents 4.2.5 and later (and the manager itself): plain JSON.</summary>
    Json,
}

/// <summary>Maps a Wazuh version string (<c>Wazuh v4.2.3</c>) to the protocol analysisd uses for it.</summary>
public static class AgentProtocols
{
    /// <summary>Parses the text after the first <c>v</c> as major.minor.patch; null when it cannot (analysisd then skips the agent).</summary>
    public static AgentProtocol? ForVersion(string version)
    {
        var v = version.IndexOf('v', StringComparison.Ordinal);
        if (v < 0)
        {
            return null;
        }

        var parts = version[(v + 1)..].Split('.');
        if (parts.Length < 3 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor) ||
            !int.TryParse(new string([.. parts[2].TakeWhile(char.IsAsciiDigit)]), out var patch))
        {
            return null;
        }

        if (major < 4 || (major == 4 && minor < 2))
        {
            return AgentProtocol.Legacy;
        }

        return major == 4 && minor == 2 && patch < 5 ? AgentProtocol.EscapedJson : AgentProtocol.Json;
    }
}
