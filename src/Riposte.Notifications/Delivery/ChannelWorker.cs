using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Riposte.Config.Settings;
using Riposte.Events;
using Riposte.Notifications.Channels;
using Riposte.Notifications.Filtering;
using Riposte.Notifications.Grouping;
using Riposte.State;

namespace Riposte.Notifications.Delivery;

/// <summary>
/// One channel's delivery loop: reads the audit trail after its checkpoint, filters, groups, rate-limits and sends
/// with retries, and moves the checkpoint only past events that were sent or given up on. The audit trail is the
/// outbox: an event not yet delivered is an audit row after the checkpoint, so a crash loses nothing (delivery is at
/// least once: a message sent just before a crash may be sent again).
/// </summary>
internal sealed class ChannelWorker : IDisposable
{
    private const int Batch = 256;

    private readonly NotificationTarget _target;
    private readonly INotificationChannel _channel;
    private readonly SqliteStateStore _store;
    private readonly ResponseEventFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DeliveryOptions _options;
    private readonly Grouper _grouper;
    private readonly SendLimiter _limiter;
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _read;
    private long _saved;
    private long _position;
    private DateTimeOffset _persisted;
    private bool _heldBack;

    public ChannelWorker(NotificationTarget target, INotificationChannel channel, SqliteStateStore store, ResponseEventFeed feed, TimeProvider time,
        ILogger logger, DeliveryOptions options, ChannelStats? stats = null)
    {
        _target = target;
        _channel = channel;
        _store = store;
        _feed = feed;
        _time = time;
        _logger = logger;
        _options = options;
        _grouper = new Grouper(target);
        _limiter = new SendLimiter(target);
        Stats = stats ?? new ChannelStats();

        // Called on the engine's commit path: it only signals, never waits.
        _store.AuditAppended += Wake;
    }

    /// <summary>The checkpoint's name in the state store.</summary>
    public string CheckpointName => "notify:" + _target.Name;

    /// <summary>The channel's counters; a channel restarted with a new definition keeps those of the one before.</summary>
    public ChannelStats Stats { get; }

    private int _reportedPending;

    public void Dispose() => _store.AuditAppended -= Wake;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, then writes the checkpoint: what it still held
    /// stays after it, so the next worker of this name sends it.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // What this worker held is no longer queued here (a worker of the same name reads it again from the outbox).
            Telemetry.RiposteMetrics.NotificationQueueChanged(_target.Name, -_reportedPending);
            _reportedPending = 0;
        }
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        if (await _store.GetCheckpointAsync(CheckpointName, cancellationToken).ConfigureAwait(false) is { } checkpoint)
        {
            _saved = checkpoint.Offset;
        }
        else
        {
            // A new channel hears of what happens from now on, not of the whole history.
            _saved = _options.StartFromBeginning ? 0 : await _feed.LatestIdAsync(cancellationToken).ConfigureAwait(false);
            await _store.SetCheckpointAsync(new SourceCheckpoint(CheckpointName, "audit", _saved), cancellationToken).ConfigureAwait(false);
        }

        _read = _saved;
        _position = _saved;
        _persisted = _time.GetUtcNow();
        Stats.Position = _saved;
        _logger.LogInformation("Notification {Name} ({Type}): delivering events after #{Position}", _target.Name,
            _target.Type.ToString().ToLowerInvariant(), _saved);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await PersistAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                // The store busy or closing, a bug: never let one channel's trouble end delivery for good.
                _logger.LogError(ex, "Notification {Name}: delivery loop failed; retrying", _target.Name);
                await Task.Delay(_options.Poll, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        await ReadAsync(cancellationToken).ConfigureAwait(false);
        await AdvanceAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var allowed = _limiter.NextAllowed(now);
        DateTimeOffset? wakeAt;
        if (allowed <= now)
        {
            var batch = _grouper.Next(now, _heldBack, out wakeAt);
            if (batch is not null)
            {
                _heldBack = false;
                await SendAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            var batch = _grouper.Next(now, limited: true, out wakeAt);
            if (batch is not null)
            {
                _heldBack = true;
                wakeAt = allowed;
            }
        }

        await WaitAsync(wakeAt, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await _feed.ReadAfterAsync(_read, Batch, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            foreach (var e in events)
            {
                _read = e.Id;
                if (NotificationFilter.Matches(_target, e) && _options.Routing?.Allows(_target.Name, e) != false)
                {
                    int before = _grouper.Pending;
                    _grouper.Add(e, now);
                    if (_grouper.Pending == before)
                    {
                        Stats.OnCollapsed(1);
                    }
                }
            }

            Stats.Read = _read;
            ReportQueue();
            if (events.Count < Batch)
            {
                return;
            }
        }
    }

    private async Task SendAsync(Grouper.Batch batch, CancellationToken cancellationToken)
    {
        var message = DigestText.Build(_target.Name, batch.Events, batch.Omitted, _time.GetUtcNow());
        for (int attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                // Wall-clock, not the injected clock: a send is real network I/O, and a test's fake clock racing ahead
                // while a receiver answers would count an answered send as timed out and send it again.
                using var timeout = new CancellationTokenSource(_options.AttemptTimeout);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                await _channel.SendAsync(message, linked.Token).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                _limiter.Sent(now);
                _grouper.Complete(batch, now);
                Stats.OnSent(message.Count);
                Telemetry.RiposteMetrics.NotificationSent(_target.Name);
                ReportQueue();
                await AdvanceAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                failure = ex is OperationCanceledException ? new TimeoutException($"no answer within {_options.AttemptTimeout}", ex) : ex;
            }

            Stats.OnFailedAttempt();
            if (attempt >= _target.Retry.MaxAttempts)
            {
                await GiveUpAsync(batch, message, failure, cancellationToken).ConfigureAwait(false);
                return;
            }

            var delay = Backoff.After(_target.Retry, attempt);
            _logger.LogWarning("Notification {Name}: attempt {Attempt} of {Max} failed ({Error}); next in {Delay}", _target.Name, attempt,
                _target.Retry.MaxAttempts, failure.Message, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The message is dropped after its last retry: logged, counted and recorded, so the channel moves on.</summary>
    private async Task GiveUpAsync(Grouper.Batch batch, NotificationMessage message, Exception failure, CancellationToken cancellationToken)
    {
        Stats.OnGivenUp();
        Telemetry.RiposteMetrics.NotificationFailed(_target.Name);
        _logger.LogError("Notification {Name}: gave up on a message about {Count} events after {Attempts} attempts: {Error}", _target.Name,
            message.Count, _target.Retry.MaxAttempts, failure.Message);
        long last = batch.Events.Count > 0 ? batch.Events[^1].Id : _read;
        string reason = failure.Message.Length > 200 ? failure.Message[..200] : failure.Message;
        await _store.SetCheckpointLazilyAsync(new SourceCheckpoint("notify-failed:" + _target.Name, reason, last), cancellationToken).ConfigureAwait(false);
        _grouper.Complete(batch, _time.GetUtcNow());
        ReportQueue();

        // What piled up behind it leaves as one digest: against a dead receiver, one give-up per backlog, not per event.
        _heldBack = true;
        await AdvanceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps <c>riposte_notifications_queued</c> at the number of events this channel holds.</summary>
    private void ReportQueue()
    {
        var pending = _grouper.Pending;
        Telemetry.RiposteMetrics.NotificationQueueChanged(_target.Name, pending - _reportedPending);
        _reportedPending = pending;
    }

    /// <summary>
    /// Moves the checkpoint to just before the oldest event still held (or to what was read when none is). It is
    /// written at most once per <see cref="DeliveryOptions.CheckpointEvery"/> (and at shutdown): each write takes the
    /// store's write lock the engine's own commits need, and a checkpoint lost to a crash only means sending again
    /// what was sent in that last moment (delivery is at least once).
    /// </summary>
    private async Task AdvanceAsync(CancellationToken cancellationToken)
    {
        long position = _grouper.OldestId is { } oldest ? oldest - 1 : _read;
        if (position > _position)
        {
            _position = position;
            Stats.Position = position;
        }

        if (_position > _saved && _time.GetUtcNow() - _persisted >= _options.CheckpointEvery)
        {
            await PersistAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (_position <= _saved)
        {
            return;
        }

        try
        {
            // Lazily (no fsync of its own): the events are audit rows already.
            await _store.SetCheckpointLazilyAsync(new SourceCheckpoint(CheckpointName, "audit", _position), cancellationToken).ConfigureAwait(false);
            _saved = _position;
            _persisted = _time.GetUtcNow();
        }
        catch (ObjectDisposedException)
        {
            // Shutting down with the store already closed: the next start re-sends from the last checkpoint written.
        }
    }

    private void Wake() => _wake.Writer.TryWrite(0);

    private async Task WaitAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var delay = _options.Poll;
        if (until is { } at && at - _time.GetUtcNow() < delay)
        {
            delay = at - _time.GetUtcNow();
        }

        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var poll = new CancellationTokenSource(delay, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, poll.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
            if (_options.Coalesce > TimeSpan.Zero)
            {
                // Under a burst each commit would wake every channel for a read of one row: gather them instead, so
                // delivery takes the store's lock (which the engine's commits need too) a few times a second at most.
                await Task.Delay(_options.Coalesce, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>How delivery runs; <see cref="Default"/> suits the daemon.</summary>
/// <param name="AttemptTimeout">The longest one send may take before it counts as failed.</param>
/// <param name="Poll">How often to look at the audit trail when no commit is heard of.</param>
/// <param name="StartFromBeginning">A channel with no checkpoint starts at the first event rather than the newest.</param>
/// <param name="CheckpointEvery">The least time between two checkpoint writes; zero writes one after every message.</param>
/// <param name="Coalesce">After a commit wakes a channel, how long it waits for more before reading; zero reads at once.</param>
/// <param name="Routing">The <c>notify</c> lists of the policies; null when they are not to narrow what channels hear.</param>
public sealed record DeliveryOptions(TimeSpan AttemptTimeout, TimeSpan Poll, bool StartFromBeginning = false, TimeSpan CheckpointEvery = default,
    TimeSpan Coalesce = default, NotifyRouting? Routing = null)
{
    /// <summary>10 s per attempt, a 1 s poll, a checkpoint written at most once a second, reads gathered over 100 ms.</summary>
    public static DeliveryOptions Default { get; } =
        new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), CheckpointEvery: TimeSpan.FromSeconds(1), Coalesce: TimeSpan.FromMilliseconds(100));
}
