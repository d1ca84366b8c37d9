using Riposte.Config.Settings;
using Riposte.Events;

namespace Riposte.Notifications.Grouping;

/// <summary>
/// The events of one channel waiting to be sent, in groups of one event kind and response, with Alertmanager's
/// timing: a new group waits <c>group_wait</c> for company, then gets one digest per <c>group_interval</c> while
/// events keep coming; a group quiet for <c>repeat_interval</c> is forgotten, so its next event waits again.
/// </summary>
/// <remarks>Not thread-safe: one channel's worker owns it.</remarks>
internal sealed class Grouper(NotificationTarget target)
{
    private readonly List<Group> _groups = [];
    private readonly List<ResponseEvent> _single = [];
    private int _omitted;

    private bool Grouped => target.Grouping.GroupWait > TimeSpan.Zero;

    /// <summary>Events held, collapsed ones included.</summary>
    public int Pending => _single.Count + _groups.Sum(g => g.Events.Count) + _omitted;

    /// <summary>The smallest id held, or null: the checkpoint may not pass it.</summary>
    public long? OldestId
    {
        get
        {
            long? oldest = _single.Count > 0 ? _single[0].Id : null;
            foreach (var g in _groups)
            {
                if (g.Events.Count > 0 && (oldest is null || g.Events[0].Id < oldest))
                {
                    oldest = g.Events[0].Id;
                }
            }

            return oldest;
        }
    }

    /// <summary>Holds <paramref name="e"/>; past <c>max_pending</c> the oldest held events collapse into a count.</summary>
    public void Add(ResponseEvent e, DateTimeOffset now)
    {
        if (Grouped)
        {
            var key = (e.Event, e.Response);
            var group = _groups.Find(g => g.Key == key);
            if (group is null)
            {
                group = new Group(key);
                _groups.Add(group);
            }

            if (group.Events.Count == 0)
            {
                group.Opened = now;
            }

            group.Events.Add(e);
            group.Heard = now;
        }
        else
        {
            _single.Add(e);
        }

        // Bounded: the audit trail keeps every row anyway; memory holds only the newest max_pending, the rest are counted.
        while (Pending - _omitted > target.MaxPending)
        {
            DropOldest();
            _omitted++;
        }
    }

    /// <summary>
    /// The next message due at <paramref name="now"/>, or null with <paramref name="nextDue"/> saying when one will be.
    /// <paramref name="limited"/> is true when the rate limit or min_interval held messages back: what is then pending
    /// leaves as one digest rather than lagging behind one by one.
    /// </summary>
    public Batch? Next(DateTimeOffset now, bool limited, out DateTimeOffset? nextDue)
    {
        nextDue = null;
        ForgetQuietGroups(now);
        if (!Grouped)
        {
            if (_single.Count == 0 && _omitted == 0)
            {
                return null;
            }

            if (limited || _omitted > 0)
            {
                return new Batch(null, [.. _single], _omitted);
            }

            return new Batch(null, [_single[0]], 0);
        }

        Group? due = null;
        foreach (var g in _groups)
        {
            if (g.Events.Count == 0)
            {
                continue;
            }

            var at = g.LastSent is { } last ? Max(last + target.Grouping.GroupInterval, g.Opened) : g.Opened + target.Grouping.GroupWait;
            if (at <= now)
            {
                due ??= g;
            }
            else if (nextDue is null || at < nextDue)
            {
                nextDue = at;
            }
        }

        if (due is null)
        {
            if (_omitted > 0 && _groups.All(g => g.Events.Count == 0))
            {
                return new Batch(null, [], _omitted);
            }

            return null;
        }

        // Collapsed events ride with the first digest that leaves.
        return new Batch(due.Key, [.. due.Events], _omitted);
    }

    /// <summary>Removes what <paramref name="batch"/> carried, once it was sent or given up on.</summary>
    public void Complete(Batch batch, DateTimeOffset now)
    {
        _omitted -= batch.Omitted;
        if (batch.Key is { } key && _groups.Find(g => g.Key == key) is { } group)
        {
            group.Events.RemoveRange(0, Math.Min(batch.Events.Count, group.Events.Count));
            group.LastSent = now;
            group.Heard = now;
        }
        else
        {
            _single.RemoveRange(0, Math.Min(batch.Events.Count, _single.Count));
        }
    }

    private void DropOldest()
    {
        if (!Grouped)
        {
            _single.RemoveAt(0);
            return;
        }

        Group? oldest = null;
        foreach (var g in _groups)
        {
            if (g.Events.Count > 0 && (oldest is null || g.Events[0].Id < oldest.Events[0].Id))
            {
                oldest = g;
            }
        }

        oldest?.Events.RemoveAt(0);
    }

    private void ForgetQuietGroups(DateTimeOffset now) =>
        _groups.RemoveAll(g => g.Events.Count == 0 && now - g.Heard >= target.Grouping.RepeatInterval);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>What one send takes: the events of a group (or of no group), and collapsed ones counted.</summary>
    internal sealed record Batch((string Event, string? Response)? Key, IReadOnlyList<ResponseEvent> Events, int Omitted);

    private sealed class Group((string Event, string? Response) key)
    {
        public (string Event, string? Response) Key { get; } = key;

        public List<ResponseEvent> Events { get; } = [];

        public DateTimeOffset Opened { get; set; }

        public DateTimeOffset Heard { get; set; }

        public DateTimeOffset? LastSent { get; set; }
    }
}
