namespace Riposte.Config.Settings;

/// <summary>The Wazuh agent ids Riposte accepts in a fleet.</summary>
public static class AgentIds
{
    /// <summary>
    /// Three to eight digits, not all zeros (<c>000</c> is the manager). Only such ids become NATS subjects, users and
    /// file names, so none can carry a wildcard, a dot or a path separator.
    /// </summary>
    public static bool IsValid(string? id) =>
        id is { Length: >= 3 and <= 8 } && !id.AsSpan().ContainsAnyExceptInRange('0', '9') && id.AsSpan().ContainsAnyExcept('0');
}
