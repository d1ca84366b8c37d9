using Riposte.Config.Settings;
using Riposte.Events;

namespace Riposte.Notifications.Filtering;

/// <summary>Which events a target hears about: its <c>events</c>, <c>responses</c>, <c>rules</c>, <c>agents</c> and <c>min_severity</c>.</summary>
public static class NotificationFilter
{
    /// <summary>True when <paramref name="e"/> passes every filter of <paramref name="target"/>.</summary>
    public static bool Matches(NotificationTarget target, ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(e);
        var flag = NotificationTarget.FlagOf(e.Event);
        return flag != NotificationEvents.None && target.Events.HasFlag(flag)
            && (int)e.Level >= target.MinSeverity
            && (target.Responses.Count == 0 || (e.Response is { } r && target.Responses.Contains(r, StringComparer.Ordinal)))
            && (target.Rules.Count == 0 || (e.RuleId is { } rule && target.Rules.Contains(rule, StringComparer.Ordinal)))
            && (target.Agents.Count == 0 || target.Agents.Contains(e.Agent ?? "local", StringComparer.Ordinal));
    }
}
