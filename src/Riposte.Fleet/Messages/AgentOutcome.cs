using System.Text.Json.Serialization;

namespace Riposte.Fleet.Messages;

/// <summary>
/// One outcome an agent reports: a row of its audit trail (added, aborted, deleted, failed, killed, refused, expired...),
/// tagged with the agent and the command it answers.
/// </summary>
/// <param name="Agent">The reporting agent.</param>
/// <param name="Instance">The agent state's identity: sequence numbers restart when an agent's state is recreated.</param>
/// <param name="Seq">The audit row's id on the agent: increasing, the unit of de-duplication.</param>
/// <param name="At">When it happened, on the agent's clock.</param>
/// <param name="Event">The audit event (<c>add</c>, <c>abort</c>, <c>delete</c>, <c>failure</c>, <c>kill</c>, <c>skip</c>, <c>expired</c>...).</param>
/// <param name="RKey">The response key, when known.</param>
/// <param name="Program">The program.</param>
/// <param name="ArName">The active response.</param>
/// <param name="AlertId">The alert.</param>
/// <param name="Keys">The program's keys.</param>
/// <param name="ExitCode">The program's exit code.</param>
/// <param name="DurationMs">How long it ran.</param>
/// <param name="Detail">Why, in a sentence.</param>
/// <param name="Source">The input (<c>fleet:&lt;command id&gt;</c> for commands from a manager, <c>timeout</c> for deletes...).</param>
/// <param name="ExpiresAt">For an add or an abort, when the response will be undone (Unix ms), so the manager can show time left.</param>
/// <param name="RuleId">The rule of the alert that caused it, so a manager's notifications and Wazuh rules can filter by rule.</param>
/// <param name="RuleLevel">That rule's level.</param>
public sealed record AgentOutcome(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("at")] long At,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("rkey")] string? RKey,
    [property: JsonPropertyName("program")] string Program,
    [property: JsonPropertyName("ar_name")] string? ArName,
    [property: JsonPropertyName("alert_id")] string? AlertId,
    [property: JsonPropertyName("keys")] IReadOnlyList<string> Keys,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("expires_at")] long? ExpiresAt = null,
    [property: JsonPropertyName("rule_id")] string? RuleId = null,
    [property: JsonPropertyName("rule_level")] int? RuleLevel = null);
