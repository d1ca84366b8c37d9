namespace Riposte.State;

/// <summary>The part of a timeout entry a scheduler needs.</summary>
/// <param name="RKey">The entry's key.</param>
/// <param name="Status">Pending, active or deleting.</param>
/// <param name="ExpiresAt">When its delete is due.</param>
public sealed record ScheduledTimeout(string RKey, EntryStatus Status, DateTimeOffset ExpiresAt);
