namespace Riposte.Fleet;

/// <summary>Waits that end quietly when their daemon stops.</summary>
internal static class TimeProviderDelays
{
    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>; false when cancelled first (the caller stops).</summary>
    public static async Task<bool> TryDelayAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
