namespace Riposte.Engine;

/// <summary>
/// Requests of one key in the order they arrived, as execd handles its single queue: a request enters its key's line
/// at arrival (synchronously, before anything awaits) and waits until every earlier request of that key has left.
/// Different keys never wait for each other.
/// </summary>
internal sealed class ArrivalOrder
{
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);

    /// <summary>Joins the end of <paramref name="key"/>'s line; dispose the turn once the request is done.</summary>
    public Turn Enter(string key)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_tails)
        {
            previous = _tails.GetValueOrDefault(key) ?? Task.CompletedTask;
            _tails[key] = done.Task;
        }

        return new Turn(this, key, previous, done);
    }

    private void Leave(string key, TaskCompletionSource done)
    {
        lock (_tails)
        {
            if (_tails.TryGetValue(key, out var tail) && tail == done.Task)
            {
                _tails.Remove(key);
            }
        }

        done.TrySetResult();
    }

    /// <summary>One request's place in its key's line.</summary>
    internal sealed class Turn(ArrivalOrder owner, string key, Task previous, TaskCompletionSource done) : IDisposable
    {
        private int _left;

        /// <summary>Completes when every earlier request of the key has left.</summary>
        public async ValueTask WaitAsync(CancellationToken cancellationToken)
        {
            if (!previous.IsCompleted)
            {
                await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Leaves the line. A request that gave up waiting (cancelled) leaves only once its predecessor has: the next
        /// one must not overtake a request that is still ahead of both.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) != 0)
            {
                return;
            }

            if (previous.IsCompleted)
            {
                owner.Leave(key, done);
            }
            else
            {
                previous.ContinueWith(_ => owner.Leave(key, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
