using Riposte.Config.Settings;

namespace Riposte.Notifications.Delivery;

/// <summary>A channel's <c>rate_limit</c> (at most max messages per interval, a sliding window) and <c>min_interval</c>.</summary>
internal sealed class SendLimiter(NotificationTarget target)
{
    private readonly Queue<DateTimeOffset> _sent = new();
    private DateTimeOffset? _last;

    /// <summary>When the next message may leave; <paramref name="now"/> or earlier when it may now.</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset now)
    {
        var at = now;
        if (target.MinInterval > TimeSpan.Zero && _last is { } last && last + target.MinInterval > at)
        {
            at = last + target.MinInterval;
        }

        if (target.RateLimit > 0)
        {
            while (_sent.Count > 0 && _sent.Peek() + target.RateInterval <= now)
            {
                _sent.Dequeue();
            }

            if (_sent.Count >= target.RateLimit && _sent.Peek() + target.RateInterval > at)
            {
                at = _sent.Peek() + target.RateInterval;
            }
        }

        return at;
    }

    /// <summary>Counts a message sent at <paramref name="now"/>.</summary>
    public void Sent(DateTimeOffset now)
    {
        _last = now;
        if (target.RateLimit > 0)
        {
            _sent.Enqueue(now);
        }
    }
}
