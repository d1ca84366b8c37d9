using Microsoft.Extensions.Logging;
using Riposte.Config.Settings;
using Riposte.Events;
using Riposte.Notifications.Channels;
using Riposte.State;

namespace Riposte.Notifications.Delivery;

/// <summary>
/// Every configured notification, each delivered by its own loop on its own task. The engine never waits for it:
/// it only reads the audit trail the engine writes, so a slow, hanging or dead receiver delays nothing but itself.
/// The set of channels can be changed while it runs (<see cref="ApplyAsync"/>, on <c>serve</c>'s SIGHUP).
/// </summary>
public sealed class NotificationService : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);

    // The last worker of each name that was stopped, while it may still be ending: a worker of the same name (the
    // channel restarted or re-added) starts only once it has ended, so the checkpoint has one writer at a time.
    private readonly Dictionary<string, Task> _ending = new(StringComparer.Ordinal);
    private readonly SqliteStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DeliveryOptions _options;
    private readonly Func<NotificationTarget, INotificationChannel>? _channels;
    private readonly ResponseEventFeed _feed;
    private CancellationToken _run;
    private bool _started;
    private bool _stopped;
    private bool _disposed;

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
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options ?? DeliveryOptions.Default;
        _channels = channels;
        _feed = new ResponseEventFeed(store, time, _options.Poll);
        foreach (var worker in Create(UniqueNames(targets), []))
        {
            _workers.Add(worker.Target.Name, worker);
        }
    }

    /// <summary>
    /// Each channel's counters, by notification name. A channel restarted with a new definition keeps its counters;
    /// a removed one's are gone.
    /// </summary>
    public IReadOnlyDictionary<string, ChannelStats> Stats
    {
        get
        {
            lock (_gate)
            {
                return _workers.Values.ToDictionary(w => w.Target.Name, w => w.Loop.Stats, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Runs every channel, and those <see cref="ApplyAsync"/> adds later, until <paramref name="cancellationToken"/> is
    /// cancelled; then waits for every loop to write its checkpoint. Never throws for a channel's failure.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int count;
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("the notification service is already running");
            }

            _started = true;
            _run = cancellationToken;
            foreach (var worker in _workers.Values)
            {
                Start(worker);
            }

            count = _workers.Count;
        }

        if (count > 0)
        {
            _logger.LogInformation("Notifications: {Count} channel(s) delivering from the audit trail", count);
        }

        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(() => cancelled.TrySetResult()))
        {
            await cancelled.Task.ConfigureAwait(false);
        }

        Task[] running;
        lock (_gate)
        {
            _stopped = true;
            running = [.. _workers.Values.Select(w => w.Task!), .. _ending.Values];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes <paramref name="targets"/> the channels: a channel whose name is new starts (from the newest event, or
    /// from its checkpoint when it ran before under that name); one no longer named stops (its checkpoint is kept,
    /// so adding it back resumes where it stopped); one whose definition changed in any way stops and starts again
    /// with the new one from its checkpoint; an unchanged one keeps running untouched (its grouping and the message
    /// it may be sending included). Returns at once; the task completes once the stopped loops have ended.
    /// </summary>
    /// <remarks>
    /// A stopped loop is cancelled, a send in progress included, so a receiver that never answers cannot hold it: what
    /// it had not delivered is after its checkpoint and goes to the next worker of that name. Safe to call from any
    /// thread, while the channels run and while another apply is still completing; the last call wins. Does nothing
    /// once the service has stopped.
    /// </remarks>
    /// <param name="targets">The notifications as the settings now give them.</param>
    /// <exception cref="ArgumentException">Two targets have the same name.</exception>
    public Task<NotificationChanges> ApplyAsync(IReadOnlyList<NotificationTarget> targets)
    {
        var wanted = UniqueNames(targets);
        lock (_gate)
        {
            if (_stopped)
            {
                return Task.FromResult(new NotificationChanges([], [], [], []));
            }

            var started = new List<string>();
            var restarted = new List<string>();
            var stopped = new List<string>();
            var unchanged = new List<string>();
            var fresh = new List<NotificationTarget>();
            var carried = new Dictionary<string, ChannelStats>(StringComparer.Ordinal);
            var names = wanted.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var worker in _workers.Values.Where(w => !names.Contains(w.Target.Name)))
            {
                stopped.Add(worker.Target.Name);
            }

            foreach (var target in wanted)
            {
                if (!_workers.TryGetValue(target.Name, out var current))
                {
                    started.Add(target.Name);
                    fresh.Add(target);
                }
                else if (SettingsEquality.Same(current.Target, target))
                {
                    unchanged.Add(target.Name);
                }
                else
                {
                    restarted.Add(target.Name);
                    fresh.Add(target);
                    carried[target.Name] = current.Loop.Stats;
                }
            }

            // Every new channel is made before anything changes: one that cannot be made leaves all as they were.
            var replacements = Create(fresh, carried);
            var ended = new List<Task>();
            foreach (var name in stopped.Concat(restarted))
            {
                ended.Add(Retire(_workers[name]));
                _workers.Remove(name);
            }

            foreach (var worker in replacements)
            {
                _workers.Add(worker.Target.Name, worker);
                if (_started)
                {
                    Start(worker);
                }
            }

            var changes = new NotificationChanges(started, restarted, stopped, unchanged);
            _logger.LogInformation("Notifications reloaded: {Count} channel(s); started {Started}; restarted {Restarted}; stopped {Stopped}; unchanged {Unchanged}",
                _workers.Count, List(started), List(restarted), List(stopped), List(unchanged));
            return WhenEnded(ended, changes);
        }

        static string List(List<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

        static async Task<NotificationChanges> WhenEnded(List<Task> ended, NotificationChanges changes)
        {
            await Task.WhenAll(ended).ConfigureAwait(false);
            return changes;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The workers stay listed: their counters are still read after the service is gone.
            _disposed = true;
            _stopped = true;
            running = [.. _workers.Values.Select(Retire), .. _ending.Values];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _feed.Dispose();
    }

    private static List<NotificationTarget> UniqueNames(IReadOnlyList<NotificationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            ArgumentNullException.ThrowIfNull(target, nameof(targets));
            if (!names.Add(target.Name))
            {
                throw new ArgumentException($"two notifications are named \"{target.Name}\"", nameof(targets));
            }
        }

        return [.. targets];
    }

    private List<Worker> Create(List<NotificationTarget> targets, Dictionary<string, ChannelStats> stats)
    {
        var made = new List<Worker>();
        try
        {
            foreach (var target in targets)
            {
                var channel = _channels?.Invoke(target) ?? ChannelFactory.Create(target, _time, _options.AttemptTimeout);
                made.Add(new Worker(target, new ChannelWorker(target, channel, _store, _feed, _time, _logger, _options, stats.GetValueOrDefault(target.Name)), channel));
            }
        }
        catch
        {
            foreach (var worker in made)
            {
                _ = Release(worker);
            }

            throw;
        }

        return made;
    }

    /// <summary>Starts <paramref name="worker"/>'s loop once the last one of its name has ended. Under <see cref="_gate"/>.</summary>
    private void Start(Worker worker)
    {
        var after = _ending.GetValueOrDefault(worker.Target.Name) ?? Task.CompletedTask;
        worker.Stop = CancellationTokenSource.CreateLinkedTokenSource(_run);
        var stop = worker.Stop.Token;

        // Task.Run: each loop starts on the thread pool, never inline on the caller (the daemon's start-up path, a signal handler).
        worker.Task = Task.Run(async () =>
        {
            try
            {
                await after.ConfigureAwait(false);
                await worker.Loop.RunAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Notification {Name}: delivery ended by an unexpected error", worker.Target.Name);
            }
            finally
            {
                await Release(worker).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    /// <summary>Stops <paramref name="worker"/> without waiting for it; the task ends once it has. Under <see cref="_gate"/>.</summary>
    private Task Retire(Worker worker)
    {
        Task ended;
        if (worker.Task is { } task)
        {
            // CancelAsync: the cancellation callbacks (an HTTP send being aborted) run on the thread pool, not on the
            // caller's thread, which may be the daemon's signal handler.
            if (!worker.Released)
            {
                worker.Cancelling ??= worker.Stop!.CancelAsync();
            }

            ended = task;
        }
        else
        {
            ended = Release(worker);
        }

        _ending[worker.Target.Name] = ended;
        _ = ended.ContinueWith(_ => Forget(worker.Target.Name, ended), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return ended;
    }

    private void Forget(string name, Task ended)
    {
        lock (_gate)
        {
            if (_ending.TryGetValue(name, out var last) && last == ended)
            {
                _ending.Remove(name);
            }
        }
    }

    /// <summary>Releases what <paramref name="worker"/> holds once its loop has ended (or when it never started).</summary>
    private async Task Release(Worker worker)
    {
        Task? cancelling;
        lock (_gate)
        {
            cancelling = worker.Cancelling;
            worker.Released = true;
        }

        try
        {
            if (cancelling is not null)
            {
                await cancelling.ConfigureAwait(false);
            }

            worker.Stop?.Dispose();
            worker.Loop.Dispose();
            await worker.Channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Notification {Name}: closing the channel failed", worker.Target.Name);
        }
    }

    /// <summary>One channel: its definition, its loop and what stops it.</summary>
    private sealed class Worker(NotificationTarget target, ChannelWorker loop, INotificationChannel channel)
    {
        public NotificationTarget Target { get; } = target;

        public ChannelWorker Loop { get; } = loop;

        public INotificationChannel Channel { get; } = channel;

        /// <summary>Set when the loop starts.</summary>
        public CancellationTokenSource? Stop { get; set; }

        /// <summary>The loop, set when it starts.</summary>
        public Task? Task { get; set; }

        /// <summary>The cancellation asked for by <see cref="Retire"/>; awaited before <see cref="Stop"/> is disposed.</summary>
        public Task? Cancelling { get; set; }

        /// <summary>True once <see cref="Release"/> has begun; no cancellation is asked for after it.</summary>
        public bool Released { get; set; }
    }
}

/// <summary>What <see cref="NotificationService.ApplyAsync"/> did, by channel name.</summary>
/// <param name="Started">Channels whose name was not running: they start from their checkpoint, or from the newest event.</param>
/// <param name="Restarted">Channels whose definition changed: stopped and started again with the new one, from their checkpoint.</param>
/// <param name="Stopped">Channels no longer configured; their checkpoint is kept.</param>
/// <param name="Unchanged">Channels left running as they were.</param>
public sealed record NotificationChanges(IReadOnlyList<string> Started, IReadOnlyList<string> Restarted, IReadOnlyList<string> Stopped,
    IReadOnlyList<string> Unchanged);
