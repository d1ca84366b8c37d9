namespace Riposte.State;

/// <summary>The values of <see cref="AuditRecord.Event"/>.</summary>
public static class AuditEvents
{
    /// <summary>An add run started (intent recorded).</summary>
    public const string Add = "add";

    /// <summary>The program was told <c>continue</c>.</summary>
    public const string Continue = "continue";

    /// <summary>The program was told <c>abort</c> because the rkey was already blocked; the timer was refreshed.</summary>
    public const string Abort = "abort";

    /// <summary>A delete run finished and the entry is gone.</summary>
    public const string Delete = "delete";

    /// <summary>A program could not be run or misbehaved.</summary>
    public const string Failure = "failure";

    /// <summary>A program exceeded its time limit and its process group was killed.</summary>
    public const string Kill = "kill";

    /// <summary>A response was decided against (allowlist, dry run, rate limit...).</summary>
    public const string Skip = "skip";

    /// <summary>An operator removed a block before it expired.</summary>
    public const string Revoke = "revoke";

    /// <summary>An operator triggered a response by hand.</summary>
    public const string Trigger = "trigger";

    /// <summary>
    /// A block recorded before a crash whose program never confirmed its add, and whose time ran out before the restart:
    /// undone, not applied late.
    /// </summary>
    public const string Lapsed = "lapsed";

    /// <summary>A fleet command arrived after its time-to-live: recorded, not run.</summary>
    public const string Expired = "expired";
}

/// <summary>
/// How the details of <see cref="AuditEvents.Skip"/> rows begin, so readers can tell a safety rail's refusal and a
/// rate cap from other skips without a second vocabulary in the table.
/// </summary>
internal static class SkipDetails
{
    /// <summary>A safety rail refused the response.</summary>
    public const string Refused = "refused to run ";

    /// <summary>The response was over its cap of new blocks per minute.</summary>
    public const string RateCapped = "not applied: ";
}
