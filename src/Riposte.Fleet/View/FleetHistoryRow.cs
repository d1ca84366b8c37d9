namespace Riposte.Fleet.View;

/// <summary>
/// One row of the fleet's history: an outcome an agent reported (its audit row), or something the manager itself
/// recorded about a command (<see cref="FleetEvents"/>).
/// </summary>
/// <param name="Id">The row's id in the fleet view (not the agent's sequence number).</param>
/// <param name="At">When it happened: the agent's clock for an outcome, the manager's for its own rows.</param>
/// <param name="Agent">The agent.</param>
/// <param name="Event">The event (an audit event, or one of <see cref="FleetEvents"/>).</param>
/// <param name="RKey">The response key, when known.</param>
/// <param name="Program">The program, for an outcome.</param>
/// <param name="ArName">The active response.</param>
/// <param name="AlertId">The alert.</param>
/// <param name="Keys">The program's keys; for the manager's own rows, the command's target when it has one.</param>
/// <param name="ExitCode">The program's exit code.</param>
/// <param name="DurationMs">How long it ran.</param>
/// <param name="Detail">Why, in a sentence.</param>
/// <param name="Source">The input (<c>fleet:&lt;id&gt;</c>, <c>timeout</c>...), or <c>manager</c> for the manager's own rows.</param>
/// <param name="RuleId">The rule of the alert behind an outcome, when the agent reported it (not on the manager's own rows).</param>
/// <param name="RuleLevel">That rule's level.</param>
public sealed record FleetHistoryRow(
    long Id,
    DateTimeOffset At,
    string Agent,
    string Event,
    string? RKey,
    string? Program,
    string? ArName,
    string? AlertId,
    IReadOnlyList<string> Keys,
    int? ExitCode,
    long DurationMs,
    string? Detail,
    string? Source,
    string? RuleId = null,
    int? RuleLevel = null);

/// <summary>The events the manager records itself in the fleet's history (beside the agents' audit events).</summary>
public static class FleetEvents
{
    /// <summary>A command no agent took within its time to live.</summary>
    public const string Expired = "expired";

    /// <summary>A command for an agent the manager cannot reach (not enrolled, and no remoted queue).</summary>
    public const string Undeliverable = "undeliverable";

    /// <summary>A command handed to wazuh-remoted for a Wazuh agent: its outcome is unknown, as in Wazuh.</summary>
    public const string Sent = "sent";

    /// <summary>An agent answered a command after the manager had recorded it <see cref="Expired"/>.</summary>
    public const string Late = "late";

    /// <summary>The source of the rows the manager records itself.</summary>
    public const string ManagerSource = "manager";
}
