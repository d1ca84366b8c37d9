using System.Text.Json.Serialization;

namespace Riposte.Events;

/// <summary>
/// One thing Riposte did or decided not to do, as every outward surface shows it: the events file Wazuh reads, the
/// live view, the API's server-sent events, notifications and metrics. Built from an audit row (and, on a fleet
/// manager, from the fleet's history), so it is durable and ordered by <see cref="Id"/> within its origin.
/// </summary>
/// <param name="Id">The audit row's id: increasing, never reused; consumers keep it as their checkpoint.</param>
/// <param name="At">When it happened.</param>
/// <param name="Event">What happened; one of <see cref="ResponseEventKinds"/>.</param>
/// <param name="Severity">How much it deserves attention; one of <see cref="EventSeverity"/>'s names.</param>
/// <param name="Agent">The fleet agent it happened on; null for this host.</param>
/// <param name="Response">The active response (or command) name, when known, e.g. <c>firewall-drop600</c>.</param>
/// <param name="RKey">The response key, when one is known.</param>
/// <param name="Keys">The keys the program reported (usually the address or user acted on).</param>
/// <param name="Program">The program involved.</param>
/// <param name="AlertId">The alert, when one is known.</param>
/// <param name="RuleId">The rule of the alert, when known.</param>
/// <param name="RuleLevel">The level of that rule, when known.</param>
/// <param name="ExitCode">The program's exit code, when it exited.</param>
/// <param name="DurationMs">How long the program ran, in milliseconds (0 when nothing ran).</param>
/// <param name="Detail">A human-readable explanation.</param>
/// <param name="Source">Where the input came from, e.g. <c>file:/var/ossec/logs/alerts/alerts.json</c>, <c>cli</c>.</param>
public sealed record ResponseEvent(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("time")] DateTimeOffset At,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("agent")] string? Agent,
    [property: JsonPropertyName("response")] string? Response,
    [property: JsonPropertyName("rkey")] string? RKey,
    [property: JsonPropertyName("keys")] IReadOnlyList<string> Keys,
    [property: JsonPropertyName("program")] string? Program,
    [property: JsonPropertyName("alert_id")] string? AlertId,
    [property: JsonPropertyName("rule_id")] string? RuleId,
    [property: JsonPropertyName("rule_level")] int? RuleLevel,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("source")] string? Source)
{
    /// <summary>The first key (the address or user acted on), or the rkey when there are no keys.</summary>
    [JsonIgnore]
    public string? Target => Keys.Count > 0 ? Keys[0] : RKey;

    /// <summary>The severity as a value.</summary>
    [JsonIgnore]
    public EventSeverity Level => Enum.Parse<EventSeverity>(Severity, ignoreCase: true);
}
