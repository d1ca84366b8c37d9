using Riposte.Config.Settings;

namespace Riposte.Notifications.Channels;

/// <summary>Makes the channel a target's <see cref="NotificationTarget.Type"/> names.</summary>
public static class ChannelFactory
{
    /// <summary>A channel to <paramref name="target"/>; <paramref name="timeout"/> bounds each network operation.</summary>
    public static INotificationChannel Create(NotificationTarget target, TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Type switch
        {
            NotificationType.Slack => new SlackChannel(target, timeout),
            NotificationType.Teams => new TeamsChannel(target, timeout),
            NotificationType.Email => new EmailChannel(target, timeout),
            NotificationType.Syslog => new SyslogChannel(target.Syslog!, time),
            _ => new WebhookChannel(target, timeout),
        };
    }
}
