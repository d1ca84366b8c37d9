namespace Riposte.Events;

/// <summary>
/// The values of <see cref="ResponseEvent.Event"/>: the audit trail's vocabulary (<see cref="State.AuditEvents"/>),
/// with its <c>skip</c> split into what a reader needs told apart (refused by a safety rail, over a rate cap, or
/// skipped for another reason).
/// </summary>
public static class ResponseEventKinds
{
    /// <summary>A program ran its add to the end: the response is in place.</summary>
    public const string Add = "add";

    /// <summary>A stateful add was decided (the program was told <c>continue</c>); <see cref="Add"/> follows when it finishes.</summary>
    public const string Continue = "continue";

    /// <summary>The key was already active: the program was told to abort and the timer refreshed (a repeat).</summary>
    public const string Abort = "abort";

    /// <summary>A response was reverted: its time ran out, or after a revoke.</summary>
    public const string Delete = "delete";

    /// <summary>An operator removed a block before it expired.</summary>
    public const string Revoke = "revoke";

    /// <summary>An operator triggered a response by hand.</summary>
    public const string Trigger = "trigger";

    /// <summary>A program could not be run or misbehaved.</summary>
    public const string Failure = "failure";

    /// <summary>A program exceeded its time limit and was killed.</summary>
    public const string Kill = "kill";

    /// <summary>A safety rail refused the response (the host's own address, an allow-listed one, an invalid target...).</summary>
    public const string Refused = "refused";

    /// <summary>The response reached its cap of new blocks per minute and was not applied.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>Decided against for another reason (no program on this system, restart-wazuh...).</summary>
    public const string Skip = "skip";

    /// <summary>Dry run: the program would have run.</summary>
    public const string DryRun = "dry-run";

    /// <summary>Recorded before a crash, never confirmed, and out of time by the restart: undone, not applied late.</summary>
    public const string Lapsed = "lapsed";

    /// <summary>A fleet command arrived (or sat undelivered) past its time to live: recorded, not run.</summary>
    public const string Expired = "expired";

    /// <summary>A fleet agent answered a command after the manager had recorded it expired: it ran, late.</summary>
    public const string Late = "late";

    /// <summary>A fleet command for an agent the manager cannot reach.</summary>
    public const string Undeliverable = "undeliverable";

    /// <summary>A fleet command handed to wazuh-remoted; its outcome is unknown.</summary>
    public const string Sent = "sent";

    /// <summary>The firewall sets were repaired to match the active entries (after a reboot or a flush).</summary>
    public const string Reconcile = "reconcile";

    /// <summary>Every kind, in the order documentation lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Add, Continue, Abort, Delete, Revoke, Trigger, Failure, Kill, Refused, RateLimited, Skip, DryRun, Lapsed, Expired, Late, Undeliverable, Sent, Reconcile];

    /// <summary>The severity of an event of <paramref name="kind"/>.</summary>
    public static EventSeverity SeverityOf(string kind) => kind switch
    {
        Failure or Kill or Undeliverable => EventSeverity.Error,
        Refused or RateLimited or Lapsed or Expired or Late => EventSeverity.Warning,
        _ => EventSeverity.Info,
    };
}
