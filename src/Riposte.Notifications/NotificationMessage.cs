using Riposte.Events;

namespace Riposte.Notifications;

/// <summary>
/// What one send carries: a single event, or a digest of several (one group, or what a limited channel gathered).
/// </summary>
/// <param name="Target">The notification's name.</param>
/// <param name="Events">The events told about, oldest first; a digest carries at most a sample of them.</param>
/// <param name="Count">How many events the message stands for, <see cref="Omitted"/> included.</param>
/// <param name="Omitted">Events collapsed away because the receiver was down for long (see <c>max_pending</c>).</param>
/// <param name="Summary">One line for people, e.g. "38 addresses blocked by firewall-drop600 in the last 1m, top rules 5712 (30)".</param>
/// <param name="Since">When the oldest event happened.</param>
public sealed record NotificationMessage(
    string Target, IReadOnlyList<ResponseEvent> Events, int Count, int Omitted, string Summary, DateTimeOffset Since)
{
    /// <summary>True when the message stands for more than one event.</summary>
    public bool IsDigest => Count > 1;

    /// <summary>The worst severity among the events.</summary>
    public EventSeverity Severity => Events.Count == 0 ? EventSeverity.Info : Events.Max(e => e.Level);
}
