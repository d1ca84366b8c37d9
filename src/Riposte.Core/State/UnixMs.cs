namespace Riposte.State;

/// <summary>The store's one time format: Unix milliseconds, UTC. Sub-millisecond precision is dropped.</summary>
internal static class UnixMs
{
    public static long From(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset To(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    /// <summary>
    /// <paramref name="addedAtMs"/> + <paramref name="durationSeconds"/> seconds, saturated rather than overflowing:
    /// an absurd configured duration must still sort last, not wrap round and expire at once.
    /// </summary>
    public static long AddSeconds(long addedAtMs, long durationSeconds)
    {
        long durationMs;
        try
        {
            durationMs = checked(durationSeconds * 1000);
            return checked(addedAtMs + durationMs);
        }
        catch (OverflowException)
        {
            return durationSeconds < 0 ? long.MinValue : long.MaxValue;
        }
    }
}
