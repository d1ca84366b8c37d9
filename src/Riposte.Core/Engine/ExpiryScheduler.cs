namespace Riposte.Engine;

/// <summary>
/// A min-heap of expiry times driven by the injected <see cref="TimeProvider"/>. It only says "this key may be due";
/// the engine checks the stored entry (an abort may have extended it) before deleting.
/// </summary>
internal sealed class ExpiryScheduler : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly Func<string, ValueTask> _onDue;
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public ExpiryScheduler(TimeProvider timeProvider, Func<string, ValueTask> onDue)
    {
        _time = timeProvider;
        _onDue = onDue;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Due strictly after <paramref name="expiresAt"/> (Wazuh compares with <c>&gt;</c>).</summary>
    public void Schedule(string rkey, DateTimeOffset expiresAt)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _queue.Enqueue(rkey, expiresAt.AddMilliseconds(1));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Task changed;
            TimeSpan wait;
            DateTimeOffset? nextAt = null;
            var due = new List<string>();
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                while (_queue.TryPeek(out var rkey, out var at) && at <= now)
                {
                    _queue.Dequeue();
                    due.Add(rkey);
                }

                changed = _changed.Task;
                wait = Timeout.InfiniteTimeSpan;
                if (_queue.TryPeek(out _, out var next))
                {
                    nextAt = next;
                    wait = next - now;
                }
            }

            foreach (var rkey in due)
            {
                try
                {
                    await _onDue(rkey).ConfigureAwait(false);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    // The engine records its own failures; the scheduler keeps going.
                }
            }

            if (due.Count > 0)
            {
                continue;
            }

            // A linked source per wait, cancelled afterwards, so abandoned delays do not pile up on the stop token.
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(token);
            var delay = Task.Delay(wait == Timeout.InfiniteTimeSpan || wait >= TimeSpan.Zero ? wait : TimeSpan.Zero, _time, waitCancel.Token);
            // The delay counts from when it was armed, not from the "now" read above: if the clock moved in between
            // (a jump, or a test's fake clock advanced at that moment), it would wake late or never. Look again.
            if (nextAt is { } nextDue && _time.GetUtcNow() >= nextDue)
            {
                await waitCancel.CancelAsync().ConfigureAwait(false);
                continue;
            }

            await Task.WhenAny(delay, changed).ConfigureAwait(false);
            await waitCancel.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }
}
