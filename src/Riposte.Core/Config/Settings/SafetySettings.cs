using System.Net;

namespace Riposte.Config.Settings;

/// <summary>The <c>safety</c> section: addresses no response may act on.</summary>
public sealed record SafetySettings
{
    /// <summary>The defaults.</summary>
    public static SafetySettings Default { get; } = new();

    /// <summary>
    /// Never act on loopback, this host's own addresses, its default gateway or its DNS servers: blocking any of
    /// them can cut the host off from the manager. Default true.
    /// </summary>
    public bool NeverBlockSelf { get; init; } = true;

    /// <summary>Networks no response acts on, on top of Wazuh's <c>&lt;white_list&gt;</c>. Default empty.</summary>
    public IReadOnlyList<IPNetwork> Allowlist { get; init; } = [];
}
