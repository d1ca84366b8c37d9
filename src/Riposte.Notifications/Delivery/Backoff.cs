using Riposte.Config.Settings;

namespace Riposte.Notifications.Delivery;

/// <summary>Exponential back-off: <c>base_delay</c> after the first failure, doubling, at most <c>max_delay</c>.</summary>
public static class Backoff
{
    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1 for the first).</summary>
    public static TimeSpan After(NotificationRetry retry, int attempt)
    {
        ArgumentNullException.ThrowIfNull(retry);
        double factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        double ticks = Math.Min(retry.BaseDelay.Ticks * factor, retry.MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
