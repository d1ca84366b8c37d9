using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Riposte.State;

namespace Riposte.Events;

/// <summary>
/// The audit trail read as a stream of <see cref="ResponseEvent"/>s after a position: what the events file, the live
/// view, server-sent events and notifications all consume. In the daemon it wakes on each audit commit; in another
/// process (a read-only store) it polls, so <c>history --follow</c> sees the daemon's rows too.
/// </summary>
public sealed class ResponseEventFeed : IDisposable
{
    private const int Batch = 256;

    private readonly IResponseEventSource _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _poll;
    private readonly List<Channel<byte>> _waiters = [];
    private readonly Lock _gate = new();

    /// <summary>A feed over <paramref name="store"/>'s audit trail.</summary>
    /// <param name="store">The state store.</param>
    /// <param name="time">The clock the poll runs on.</param>
    /// <param name="poll">How often to look when no commit is heard of (another process writes); default 250 ms.</param>
    /// <param name="agent">The agent the events are attributed to; null for this host.</param>
    public ResponseEventFeed(SqliteStateStore store, TimeProvider time, TimeSpan? poll = null, string? agent = null)
        : this(new AuditEventSource(store, agent), time, poll)
    {
    }

    /// <summary>A feed over any durable event log (e.g. the fleet's history on a manager).</summary>
    /// <param name="source">The log.</param>
    /// <param name="time">The clock the poll runs on.</param>
    /// <param name="poll">How often to look when no commit is heard of; default 250 ms.</param>
    public ResponseEventFeed(IResponseEventSource source, TimeProvider time, TimeSpan? poll = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _poll = poll ?? TimeSpan.FromMilliseconds(250);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_poll, TimeSpan.Zero);
        _source.Appended += Wake;
    }

    /// <summary>The log's short name (<c>local</c>, <c>fleet</c>), for consumers' checkpoint names.</summary>
    public string SourceName => _source.Name;

    /// <summary>The id of the newest event (0 when there is none): where a reader that wants only new events starts.</summary>
    public ValueTask<long> LatestIdAsync(CancellationToken cancellationToken = default) => _source.LatestIdAsync(cancellationToken);

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="afterId"/>, oldest first.</summary>
    public ValueTask<IReadOnlyList<ResponseEvent>> ReadAfterAsync(long afterId, int limit = Batch, CancellationToken cancellationToken = default) =>
        _source.ReadAfterAsync(afterId, limit, cancellationToken);

    /// <summary>
    /// Every event after <paramref name="afterId"/>, oldest first, then each new one as it is recorded, until
    /// <paramref name="cancellationToken"/> is cancelled (the enumeration then ends without throwing).
    /// </summary>
    public async IAsyncEnumerable<ResponseEvent> FollowAsync(long afterId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        lock (_gate)
        {
            _waiters.Add(wake);
        }

        try
        {
            var position = afterId;
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyList<ResponseEvent> batch;
                try
                {
                    batch = await ReadAfterAsync(position, Batch, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                foreach (var e in batch)
                {
                    position = e.Id;
                    yield return e;
                }

                if (batch.Count < Batch && !await WaitAsync(wake, cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(wake);
            }
        }
    }

    /// <summary>Stops listening to the log.</summary>
    public void Dispose() => _source.Appended -= Wake;

    private void Wake()
    {
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Writer.TryWrite(0);
            }
        }
    }

    /// <summary>Until a commit is heard of or the poll interval passes; false once cancelled.</summary>
    private async ValueTask<bool> WaitAsync(Channel<byte> wake, CancellationToken cancellationToken)
    {
        using var poll = new CancellationTokenSource(_poll, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, poll.Token);
        try
        {
            await wake.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
            wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }
}
