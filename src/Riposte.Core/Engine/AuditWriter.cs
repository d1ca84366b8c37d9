using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Riposte.State;

namespace Riposte.Engine;

/// <summary>
/// Group commit for audit rows: rows written while a commit is in flight go into the next one, so concurrent runs
/// share one fsync instead of paying one each. Callers still wait until their row is on disk.
/// </summary>
internal sealed class AuditWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly SqliteStateStore _store;
    private readonly ILogger _logger;
    private readonly Channel<(AuditRecord Record, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public AuditWriter(SqliteStateStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes once the row is committed; a failed write is logged, never thrown at the caller.</summary>
    public Task AppendAsync(AuditRecord record)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((record, done)))
        {
            _logger.LogError("Audit event {Event} for {RKey} arrived after shutdown; not recorded", record.Event, record.RKey);
            done.SetResult();
        }

        return done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await _store.AppendAuditsAsync([.. batch.Select(b => b.Record)], CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not record {Count} audit events", batch.Count);
            }

            foreach (var (_, done) in batch)
            {
                done.TrySetResult();
            }

            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
