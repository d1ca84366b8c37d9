namespace Riposte.Notifications.Channels;

/// <summary>A way of reaching a receiver. Implementations throw when a send did not succeed (so it is retried).</summary>
public interface INotificationChannel : IAsyncDisposable
{
    /// <summary>Delivers <paramref name="message"/>; returns once the receiver accepted it.</summary>
    ValueTask SendAsync(NotificationMessage message, CancellationToken cancellationToken);
}
