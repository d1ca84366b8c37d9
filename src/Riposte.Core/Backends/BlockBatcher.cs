using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Riposte.Backends;

/// <summary>Options of <see cref="BlockBatcher"/>.</summary>
public sealed record BlockBatcherOptions
{
    /// <summary>A batch is sent as soon as it holds this many changes.</summary>
    public int MaxBatch { get; init; } = 1000;

    /// <summary>
    /// Longest wait of a change for company: a batch is sent this long after its first change arrived, full or not.
    /// Short enough to be invisible next to a program run (milliseconds), long enough to gather a flood.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(5);
}

/// <summary>
/// Gathers changes from concurrent callers and applies them as one <see cref="IBlockBackend.ApplyAsync"/> when
/// <see cref="BlockBatcherOptions.MaxBatch"/> changes are waiting or <see cref="BlockBatcherOptions.MaxDelay"/> has
/// passed since the oldest arrived; every caller's task completes when the batch holding its change has been applied
/// (or fails with the batch's exception). A flood of ten thousand blocks then costs ten transactions, not ten
/// thousand. One batch is applied at a time, in arrival order, so a later change to a target always wins; changes
/// arriving while a batch is applied form the next one (which is thus larger under load, never later than it must be).
/// </summary>
public sealed class BlockBatcher : IAsyncDisposable
{
    private readonly IBlockBackend _backend;
    private readonly BlockBatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Pending> _pending = [];
    private readonly Task _loop;
    private int _pendingChanges;
    private TaskCompletionSource _signal = NewSignal();
    private bool _stopping;
    private long _flushes;

    /// <summary>Starts the batcher over <paramref name="backend"/>.</summary>
    public BlockBatcher(IBlockBackend backend, TimeProvider timeProvider, BlockBatcherOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _backend = backend;
        _time = timeProvider;
        _options = options ?? new BlockBatcherOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDelay, TimeSpan.Zero, nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Batches applied so far.</summary>
    public long FlushCount => Interlocked.Read(ref _flushes);

    /// <summary>Queues <paramref name="change"/>; completes when the batch holding it has been applied.</summary>
    /// <remarks>
    /// Cancelling takes the change back while it is still waiting; once its batch is being applied the change
    /// takes effect and only the wait is abandoned.
    /// </remarks>
    public ValueTask SubmitAsync(BlockChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return SubmitAsync([change], cancellationToken);
    }

    /// <summary>Queues <paramref name="changes"/> together (they always land in the same batch); completes when it has been applied.</summary>
    public ValueTask SubmitAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        // A copy: the caller may reuse its list while the batch waits.
        var pending = new Pending([.. changes], _time.GetTimestamp());
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _pending.Add(pending);
            _pendingChanges += changes.Count;
            if (_pending.Count == 1 || _pendingChanges >= _options.MaxBatch)
            {
                _signal.TrySetResult();
            }
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return new ValueTask(pending.Done.Task);
        }

        return new ValueTask(WaitAsync(pending, cancellationToken));
    }

    /// <summary>Applies what is still waiting, then stops; later submissions throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _stopping = true;
            _signal.TrySetResult();
        }

        await _loop;
    }

    private async Task WaitAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            await pending.Done.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                // Still waiting: take it back. Already taken: it is being applied; only the wait ends.
                if (_pending.Remove(pending))
                {
                    _pendingChanges -= pending.Changes.Count;
                    pending.Done.TrySetCanceled(cancellationToken);
                }
            }

            throw;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    _signal = NewSignal();
                }

                signal = _pending.Count == 0 ? _signal.Task : Task.CompletedTask;
            }

            await signal;
            await WaitForBatchAsync();

            List<Pending> batch;
            lock (_lock)
            {
                batch = TakeBatch();
            }

            if (batch.Count > 0)
            {
                await ApplyAsync(batch);
            }
        }
    }

    /// <summary>Returns once the oldest waiting change has waited <see cref="BlockBatcherOptions.MaxDelay"/>, or a batch is full, or the batcher stops.</summary>
    private async Task WaitForBatchAsync()
    {
        while (true)
        {
            TimeSpan wait;
            Task signal;
            lock (_lock)
            {
                if (_pending.Count == 0 || _stopping || _pendingChanges >= _options.MaxBatch)
                {
                    return;
                }

                wait = _options.MaxDelay - _time.GetElapsedTime(_pending[0].Arrived);
                if (wait <= TimeSpan.Zero)
                {
                    return;
                }

                _signal = NewSignal();
                signal = _signal.Task;
            }

            using var timer = new CancellationTokenSource();
            var delay = Task.Delay(wait, _time, timer.Token);
            await Task.WhenAny(signal, delay);
            await timer.CancelAsync();
        }
    }

    /// <summary>Takes waiting submissions, oldest first, up to <see cref="BlockBatcherOptions.MaxBatch"/> changes (a submission is never split).</summary>
    private List<Pending> TakeBatch()
    {
        var taken = 0;
        var count = 0;
        while (taken < _pending.Count && (taken == 0 || count + _pending[taken].Changes.Count <= _options.MaxBatch))
        {
            count += _pending[taken].Changes.Count;
            taken++;
        }

        var batch = _pending.GetRange(0, taken);
        _pending.RemoveRange(0, taken);
        _pendingChanges -= count;
        return batch;
    }

    private async Task ApplyAsync(List<Pending> batch)
    {
        var changes = new List<BlockChange>(batch.Sum(p => p.Changes.Count));
        foreach (var pending in batch)
        {
            changes.AddRange(pending.Changes);
        }

        try
        {
            // Not the callers' tokens: the batch is shared, and a half-cancelled kernel update helps nobody.
            await _backend.ApplyAsync(changes, CancellationToken.None);
            Interlocked.Increment(ref _flushes);
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "applying a batch of {Count} block change(s) failed", changes.Count);
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Pending(IReadOnlyList<BlockChange> changes, long arrived)
    {
        public IReadOnlyList<BlockChange> Changes { get; } = changes;

        public long Arrived { get; } = arrived;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
