namespace Riposte.Fleet.Enrolment;

/// <summary>
/// What enrolment accepts for the names it writes into the registry and, through it, into nats-server's
/// configuration: a conservative charset, so nothing read from a command line can open a string, start a
/// variable, a comment or a wildcard there.
/// </summary>
public static class EnrolmentNames
{
    /// <summary>The longest group name, label key or label value.</summary>
    public const int MaxNameLength = 64;

    /// <summary>A group name, label key or label value: 1 to 64 of letters, digits, <c>.</c>, <c>_</c> and <c>-</c>.</summary>
    public static bool IsName(string? name)
    {
        if (name is null || name.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A Wazuh version as <c>X.Y.Z</c> (each part 1 to 4 digits, an optional leading <c>v</c>).</summary>
    public static bool IsWazuhVersion(string? version)
    {
        if (version is null)
        {
            return false;
        }

        var parts = (version.StartsWith('v') ? version[1..] : version).Split('.');
        return parts.Length == 3 && parts.All(p => p.Length is >= 1 and <= 4 && p.All(char.IsAsciiDigit));
    }

    /// <summary>
    /// Why <paramref name="agent"/> cannot be enrolled, or null when it can. Checked again on every registry read, so
    /// a hand-edited <c>agents.json</c> cannot smuggle a name into the authorization either.
    /// </summary>
    public static string? WhyNot(Registry.EnrolledAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (!FleetNames.IsAgentId(agent.Id))
        {
            return $"\"{Printable(agent.Id)}\" is not an agent id (3 to 8 digits, not 000)";
        }

        foreach (var group in agent.Groups)
        {
            if (!IsName(group))
            {
                return $"group \"{Printable(group)}\" is refused: use 1 to {MaxNameLength} letters, digits, '.', '_' or '-'";
            }
        }

        foreach (var (key, value) in agent.Labels)
        {
            if (!IsName(key) || !IsName(value))
            {
                return $"label \"{Printable(key)}={Printable(value)}\" is refused: key and value are each 1 to {MaxNameLength} letters, digits, '.', '_' or '-'";
            }
        }

        if (agent.WazuhVersion is { } version && !IsWazuhVersion(version))
        {
            return $"Wazuh version \"{Printable(version)}\" is not X.Y.Z";
        }

        if (agent.WazuhVersion is not null && agent.Transport != Registry.AgentTransport.Wazuh)
        {
            return "a Wazuh version only applies to an agent with transport wazuh";
        }

        return null;
    }

    /// <summary><paramref name="text"/> safe to show on a terminal: control characters as <c>\uXXXX</c>, cut at 80 characters.</summary>
    public static string Printable(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }

        var shown = new System.Text.StringBuilder();
        foreach (var c in text.Length > 80 ? text[..80] : text)
        {
            shown.Append(char.IsControl(c) || c is '"' or '\\' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Length > 80 ? shown + "..." : shown.ToString();
    }
}
