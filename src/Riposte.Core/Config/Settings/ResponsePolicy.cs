using System.Net;

namespace Riposte.Config.Settings;

/// <summary>The effective policy for a response: the <c>defaults</c> section, possibly adjusted by a <c>responses</c> entry.</summary>
public sealed record ResponsePolicy
{
    /// <summary>The built-in policy: no allow-list, real runs, no rate limit, Wazuh's escalation, no notifications.</summary>
    public static ResponsePolicy Default { get; } = new();

    /// <summary>Networks this response never acts on, in addition to <see cref="SafetySettings.Allowlist"/>.</summary>
    public IReadOnlyList<IPNetwork> Allowlist { get; init; } = [];

    /// <summary>Record what would run without running it.</summary>
    public bool DryRun { get; init; }

    /// <summary>How many new (add) runs may start per minute; 0 means unlimited.</summary>
    public int MaxNewPerMinute { get; init; }

    /// <summary>
    /// Timeouts for the second, third, … offence, replacing Wazuh's <c>&lt;repeated_offenders&gt;</c> for this
    /// response; empty means no escalation. Null means Wazuh's setting applies.
    /// </summary>
    public IReadOnlyList<TimeSpan>? Escalation { get; init; }

    /// <summary>Names of <see cref="RiposteSettings.Notifications"/> targets to tell about this response.</summary>
    public IReadOnlyList<string> Notify { get; init; } = [];

    /// <summary>Where a fleet manager sends this response instead of its <c>&lt;location&gt;</c>; null keeps Wazuh's routing.</summary>
    public FleetRoute? Route { get; init; }
}

/// <summary>
/// One entry of the <c>responses</c> section: only the settings it gives; null means "as in <c>defaults</c>".
/// </summary>
public sealed record ResponsePolicyOverride
{
    /// <summary>An entry that changes nothing.</summary>
    public static ResponsePolicyOverride Empty { get; } = new();

    /// <summary>Networks added to the defaults' allow-list for this response.</summary>
    public IReadOnlyList<IPNetwork> Allowlist { get; init; } = [];

    /// <summary>Replaces <see cref="ResponsePolicy.DryRun"/> when set.</summary>
    public bool? DryRun { get; init; }

    /// <summary>Replaces <see cref="ResponsePolicy.MaxNewPerMinute"/> when set.</summary>
    public int? MaxNewPerMinute { get; init; }

    /// <summary>Replaces <see cref="ResponsePolicy.Escalation"/> when set.</summary>
    public IReadOnlyList<TimeSpan>? Escalation { get; init; }

    /// <summary>Replaces <see cref="ResponsePolicy.Notify"/> when set; an empty list silences the defaults' targets.</summary>
    public IReadOnlyList<string>? Notify { get; init; }

    /// <summary>Replaces <see cref="ResponsePolicy.Route"/> when set.</summary>
    public FleetRoute? Route { get; init; }

    /// <summary>This entry laid over <paramref name="defaults"/>.</summary>
    /// <param name="defaults">Usually <see cref="RiposteSettings.Defaults"/>.</param>
    public ResponsePolicy ApplyTo(ResponsePolicy defaults) => new()
    {
        Allowlist = Allowlist.Count == 0 ? defaults.Allowlist
            : defaults.Allowlist.Count == 0 ? Allowlist
            : [.. defaults.Allowlist, .. Allowlist],
        DryRun = DryRun ?? defaults.DryRun,
        MaxNewPerMinute = MaxNewPerMinute ?? defaults.MaxNewPerMinute,
        Escalation = Escalation ?? defaults.Escalation,
        Notify = Notify ?? defaults.Notify,
        Route = Route ?? defaults.Route,
    };
}
