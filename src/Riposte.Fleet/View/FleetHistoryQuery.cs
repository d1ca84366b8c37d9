namespace Riposte.Fleet.View;

/// <summary>A filter over the fleet's history; results come newest first.</summary>
/// <param name="Since">Only rows at or after this instant.</param>
/// <param name="Agent">Only rows of this agent.</param>
/// <param name="Key">Only rows whose rkey equals or contains this text, or whose keys include it exactly. Null or empty: no key filter.</param>
/// <param name="Event">Only rows of this event.</param>
/// <param name="Limit">At most this many rows (must be positive).</param>
/// <param name="BeforeId">Only rows with a smaller id (a page cursor); the rows then come newest by id, the order they
/// reached the manager, because agents' clocks disagree and a cursor must not skip a row.</param>
public sealed record FleetHistoryQuery(DateTimeOffset? Since = null, string? Agent = null, string? Key = null, string? Event = null, int Limit = 1000,
    long? BeforeId = null);
