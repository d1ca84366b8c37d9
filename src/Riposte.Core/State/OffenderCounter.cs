namespace Riposte.State;

/// <summary>The repeated-offender counter of one rkey (spec §5.6), kept across restarts unlike execd's.</summary>
/// <param name="RKey">The response key the counter belongs to.</param>
/// <param name="Count">execd's hash value: 0 after the first offense, incremented up to the number of configured steps.</param>
/// <param name="LastSeen">The last offense, used to forgive counters after a quiet period.</param>
public sealed record OffenderCounter(string RKey, int Count, DateTimeOffset LastSeen);
