namespace Riposte.Config.Settings;

/// <summary>
/// Riposte's routing extension (the <c>route</c> of a <c>responses</c> entry): where a fleet manager runs a response,
/// as the union of every destination given. It lives in Riposte's settings, never in ossec.conf, so Wazuh's own readers
/// never see it. Without one, the block's <c>&lt;location&gt;</c> decides, exactly as analysisd does.
/// </summary>
public sealed record FleetRoute
{
    /// <summary>Agent ids (each 3 to 8 digits, not <c>000</c>).</summary>
    public IReadOnlyList<string> Agents { get; init; } = [];

    /// <summary>Every enrolled agent in each of these groups.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Every enrolled agent carrying all of these labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The manager itself (with <see cref="AllAgents"/>: "all agents and the manager").</summary>
    public bool Manager { get; init; }

    /// <summary>Every enrolled agent.</summary>
    public bool AllAgents { get; init; }

    /// <summary>The agent the alert came from (the manager for <c>000</c>), as <c>local</c> does.</summary>
    public bool AlertAgent { get; init; }
}
