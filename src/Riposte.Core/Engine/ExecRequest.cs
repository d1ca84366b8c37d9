namespace Riposte.Engine;

/// <summary>One message for the executor: the JSON body analysisd or agentd would put on the exec queue.</summary>
/// <param name="Body">The message bytes.</param>
/// <param name="Source">Where it came from (<c>alerts.json</c>, <c>stdin</c>, <c>execq</c>, <c>trigger</c>), for the audit trail.</param>
/// <param name="DecisionKey">
/// Identity of the decision for replayed input (alert id, AR name, target). It is recorded once the request's outcome is
/// (with the intent, for an add that reaches the timeout list); a request whose key is already recorded is not run again.
/// Null when the input cannot replay.
/// </param>
public sealed record ExecRequest(ReadOnlyMemory<byte> Body, string Source, string? DecisionKey = null);

/// <summary>What the engine did with a request.</summary>
public enum ExecResult
{
    /// <summary>The program ran and was told to continue.</summary>
    Continued,
    /// <summary>The key was already active: the program was told to abort and the timer refreshed.</summary>
    Aborted,
    /// <summary>The program printed no control line: ran once, never added to the timeout list (Wazuh behaviour).</summary>
    NoKeys,
    /// <summary>Already applied (replayed input).</summary>
    Duplicate,
    /// <summary>Known command whose program is not installed: ignored (Wazuh behaviour).</summary>
    ProgramMissing,
    /// <summary>Rejected before running: invalid JSON, unknown command, traversal attempt.</summary>
    Rejected,
    /// <summary>The program failed: could not start, was killed after a time limit, or the run was cancelled.</summary>
    Failed,
    /// <summary>Not run: the address is protected (this host, its gateway or DNS, an allowlist, the white list).</summary>
    Refused,
    /// <summary>Not run: the response is in dry-run mode; the decision was recorded.</summary>
    DryRun,
    /// <summary>Not applied: the response reached its cap of new blocks per minute (the program was told to abort).</summary>
    RateLimited,
    /// <summary>
    /// Cut short because the engine was disposed without stopping (a crash-like stop): the program was killed and the
    /// request's decision was not recorded, so a replayable input applies it again on the next start.
    /// </summary>
    Interrupted,
}

/// <summary>The outcome of one request.</summary>
/// <param name="Result">What happened.</param>
/// <param name="RKey">The timeout key, when the program gave one.</param>
/// <param name="Detail">A sentence for logs and tests.</param>
public sealed record ExecOutcome(ExecResult Result, string? RKey, string Detail);
