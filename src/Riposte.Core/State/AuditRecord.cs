namespace Riposte.State;

/// <summary>One line of the audit trail: something Riposte did or decided not to do, and what came of it.</summary>
/// <param name="Id">Assigned by the store when appended (ignored on append); increasing, never reused.</param>
/// <param name="At">When it happened.</param>
/// <param name="Event">What happened; one of <see cref="AuditEvents"/>.</param>
/// <param name="RKey">The response key, when one is known.</param>
/// <param name="Program">The program involved, e.g. <c>active-response/bin/firewall-drop</c>.</param>
/// <param name="ArName">The active response, when one is known.</param>
/// <param name="AlertId">The alert, when one is known.</param>
/// <param name="Keys">The keys the program reported (empty when none).</param>
/// <param name="ExitCode">The program's exit code, when it exited.</param>
/// <param name="DurationMs">How long the program ran, in milliseconds (0 when nothing ran).</param>
/// <param name="Stdout">Captured standard output, already bounded by the caller.</param>
/// <param name="Stderr">Captured standard error, already bounded by the caller.</param>
/// <param name="Detail">A human-readable explanation (failure reason, skip reason...).</param>
/// <param name="Source">Where the triggering input came from, e.g. <c>file:/var/ossec/logs/alerts/alerts.json</c>, <c>cli</c>.</param>
/// <param name="RuleId">The rule of the triggering alert, when known.</param>
/// <param name="RuleLevel">That rule's level, when known.</param>
public sealed record AuditRecord(
    long Id,
    DateTimeOffset At,
    string Event,
    string? RKey,
    string Program,
    string? ArName,
    string? AlertId,
    IReadOnlyList<string> Keys,
    int? ExitCode,
    long DurationMs,
    string? Stdout,
    string? Stderr,
    string? Detail,
    string? Source,
    string? RuleId = null,
    int? RuleLevel = null);
