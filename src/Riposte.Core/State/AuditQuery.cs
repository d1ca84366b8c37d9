namespace Riposte.State;

/// <summary>A filter over the audit trail; results come newest first.</summary>
/// <param name="Since">Only records at or after this instant.</param>
/// <param name="Key">
/// Only records whose rkey equals or contains this text, or whose keys include it exactly (so <c>1.2.3.4</c> finds
/// <c>firewall-drop-1.2.3.4</c>). Null or empty means no key filter.
/// </param>
/// <param name="Event">Only records of this event (see <see cref="AuditEvents"/>).</param>
/// <param name="Limit">At most this many records (must be positive).</param>
public sealed record AuditQuery(DateTimeOffset? Since = null, string? Key = null, string? Event = null, int Limit = 1000);
