using Microsoft.Extensions.Logging;
using Riposte.Config.Settings;
using Riposte.Events;
using Riposte.Notifications.Channels;
using Riposte.State;

namespace Riposte.Notifications.Delivery;

/// <summary>
/// Every configured notification, each delivered by its own loop on its own task. The engine never waits for it:
/// it only reads the audit trail the engine writes, so a slow, hanging or dead receiver delays nothing but itself.
/// </summary>
public sealed class NotificationService : IAsyncDisposable
{
    private readonly List<(ChannelWorker Worker, INotificationChannel Channel)> _workers = [];
    private readonly ResponseEventFeed _feed;
    private readonly ILogger _logger;

    /// <summary>Delivery of <paramref name="targets"/> from <paramref name="store"/>'s audit trail.</summary>
    /// <param name="targets">The notifications.</param>
    /// <param name="store">The state store whose audit trail is the outbox.</param>
    /// <param name="time">The clock grouping, limits and back-off run on.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="options">Timeouts and poll; <see cref="DeliveryOptions.Default"/> when null.</param>
    /// <param name="channels">Makes each target's channel; <see cref="ChannelFactory.Create"/> when null.</param>
    public NotificationService(IReadOnlyList<NotificationTarget> targets, SqliteStateStore store, TimeProvider time, ILogger logger,
        DeliveryOptions? options = null, Func<NotificationTarget, INotificationChannel>? channels = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= DeliveryOptions.Default;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _feed = new ResponseEventFeed(store, time, options.Poll);
        foreach (var target in targets)
        {
            var channel = channels?.Invoke(target) ?? ChannelFactory.Create(target, time, options.AttemptTimeout);
            _workers.Add((new ChannelWorker(target, channel, store, _feed, time, logger, options), channel));
        }
    }

    /// <summary>Each channel's counters, by notification name.</summary>
    public IReadOnlyDictionary<string, ChannelStats> Stats => _workers.ToDictionary(w => w.Worker.CheckpointName["notify:".Length..], w => w.Worker.Stats);

    /// <summary>Runs every channel until <paramref name="cancellationToken"/> is cancelled; never throws for a channel's failure.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (_workers.Count == 0)
        {
            return Task.CompletedTask;
        }

        _logger.LogInformation("Notifications: {Count} channel(s) delivering from the audit trail", _workers.Count);

        // Task.Run: each loop starts on the thread pool, never inline on the caller (the daemon's start-up path).
        return Task.WhenAll(_workers.Select(w => Task.Run(() => w.Worker.RunAsync(cancellationToken), CancellationToken.None)));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var (worker, channel) in _workers)
        {
            worker.Dispose();
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        _feed.Dispose();
    }
}
