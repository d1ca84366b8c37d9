namespace Riposte.Notifications.Delivery;

/// <summary>What one channel has done since the daemon started; read by tests, <c>status</c> and metrics.</summary>
public sealed class ChannelStats
{
    private long _sent;
    private long _events;
    private long _failedAttempts;
    private long _givenUp;
    private long _collapsed;

    /// <summary>Messages delivered.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Events those messages stood for.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Attempts that failed (each retry counts).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Messages given up on after the last retry.</summary>
    public long GivenUp => Interlocked.Read(ref _givenUp);

    /// <summary>Events collapsed into a count because too many were pending.</summary>
    public long Collapsed => Interlocked.Read(ref _collapsed);

    /// <summary>The id of the newest event read from the audit trail (held, sent or filtered out).</summary>
    public long Read { get; internal set; }

    /// <summary>The id of the newest event handled (sent, given up on or filtered out): the channel's checkpoint.</summary>
    public long Position { get; internal set; }

    internal void OnSent(int events)
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _events, events);
    }

    internal void OnFailedAttempt() => Interlocked.Increment(ref _failedAttempts);

    internal void OnGivenUp() => Interlocked.Increment(ref _givenUp);

    internal void OnCollapsed(int events) => Interlocked.Add(ref _collapsed, events);
}
