using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Riposte.Engine;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Events;

/// <summary>
/// Appends every <see cref="ResponseEvent"/> to <c>HOME/logs/riposte-events.json</c>, one JSON object a line, for
/// Wazuh's logcollector. At least once: the file is written and flushed to disk before the checkpoint moves past a
/// batch, so a crash repeats a few lines (readers dedupe on <c>riposte.id</c>) and never loses one.
/// </summary>
/// <remarks>
/// The file is opened per batch (no symbolic link followed, regular files only, created 0640) so logrotate's
/// move-and-create works without a signal. A file that cannot be written is reported once and retried; responses
/// never wait for it, since the events stay in the audit trail until written.
/// </remarks>
internal sealed class EventsFileWriter : IDisposable
{
    /// <summary>The checkpoint that holds the id of the last event of this host's audit trail written.</summary>
    public const string CheckpointName = "events:file";

    /// <summary><c>rw-r-----</c>: root writes, the Wazuh group (logcollector) reads.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private const int Batch = 256;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    // A safety net only: each audit commit wakes the writer.
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    // Two writers (this host's trail and, on a manager, the fleet's history) share the file: one batch at a time.
    private static readonly Lock AppendGate = new();

    private readonly SqliteStateStore _store;
    private readonly IResponseEventSource _source;
    private readonly string _checkpoint;
    private readonly ResponseEventFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private string? _reportedFailure;

    public EventsFileWriter(string home, SqliteStateStore store, TimeProvider time, ILogger logger, IResponseEventSource? source = null)
    {
        FilePath = PathIn(home);
        _store = store;
        _source = source ?? new AuditEventSource(store);
        // The position is kept in this host's state whatever the source; each source has its own.
        _checkpoint = _source.Name == "local" ? CheckpointName : $"{CheckpointName}:{_source.Name}";
        _feed = new ResponseEventFeed(_source, time);
        _time = time;
        _logger = logger;
    }

    /// <summary>The events file.</summary>
    public string FilePath { get; }

    /// <summary>Where the events file of <paramref name="home"/> is.</summary>
    public static string PathIn(string home) => Path.Combine(home, "logs", "riposte-events.json");

    /// <summary>Starts writing in the background; <see cref="StopAsync"/> once the engine has stopped writes the rest.</summary>
    public static EventsFileWriter Start(string home, SqliteStateStore store, ILogger logger, IResponseEventSource? source = null)
    {
        var writer = new EventsFileWriter(home, store, TimeProvider.System, logger, source);
        writer._running = Task.Run(() => writer.RunAsync(writer._stop.Token), CancellationToken.None);
        return writer;
    }

    /// <summary>
    /// Writes what is recorded until now and ends. Called after the engine stopped, so even the events of its last
    /// moments are in the file before the daemon exits.
    /// </summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Writes until <paramref name="stop"/>, then once more what was recorded until then.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _source.Appended += Wake;
        try
        {
            long? position = null;
            while (true)
            {
                var stopping = stop.IsCancellationRequested;
                var written = await TryWriteBatchAsync(position).ConfigureAwait(false);
                if (written is null)
                {
                    if (stopping)
                    {
                        return; // still failing: the checkpoint keeps the rest for the next start
                    }

                    await WaitAsync(Retry, stop).ConfigureAwait(false);
                    continue;
                }

                position = written.Value.Position;
                if (written.Value.Count == Batch)
                {
                    continue;
                }

                if (stopping)
                {
                    return;
                }

                await WaitAsync(Poll, stop).ConfigureAwait(false);
            }
        }
        finally
        {
            _source.Appended -= Wake;
        }
    }

    /// <summary>Stops listening to the store.</summary>
    public void Dispose()
    {
        _feed.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Writes the batch after <paramref name="position"/> (the saved one when null); null when it failed, reported once.
    /// A state that cannot be read now is treated like a file that cannot be written: the writer must outlive both.
    /// </summary>
    private async Task<(long Position, int Count)?> TryWriteBatchAsync(long? position)
    {
        try
        {
            return await WriteBatchAsync(position ?? await StartPositionAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StateStoreException or System.Data.Common.DbException)
        {
            if (_reportedFailure != ex.Message)
            {
                _reportedFailure = ex.Message;
                _logger.LogError("Cannot write the events file {Path}: {Reason}; events wait in the audit trail and are written once it works again",
                    FilePath, ex.Message);
            }

            return null;
        }
    }

    /// <summary>
    /// The saved position; on the very first start, just before the first event of this run, so that turning the file
    /// on (or upgrading to a version with it) does not replay a whole history of old events into Wazuh as new alerts.
    /// </summary>
    private async Task<long> StartPositionAsync()
    {
        if (await _store.GetCheckpointAsync(_checkpoint, CancellationToken.None).ConfigureAwait(false) is { } saved)
        {
            return saved.Offset;
        }

        if (_source.Name != "local")
        {
            // The fleet's history has no process start to go by: from its newest row on.
            var latest = await _feed.LatestIdAsync(CancellationToken.None).ConfigureAwait(false);
            await _store.SetCheckpointAsync(new SourceCheckpoint(_checkpoint, "", latest), CancellationToken.None).ConfigureAwait(false);
            return latest;
        }

        using var self = Process.GetCurrentProcess();
        var started = new DateTimeOffset(self.StartTime.ToUniversalTime());
        var sinceStart = await _store.QueryAuditAsync(new AuditQuery(Since: started, Limit: int.MaxValue), CancellationToken.None).ConfigureAwait(false);
        var position = sinceStart.Count > 0 ? sinceStart.Min(r => r.Id) - 1 : await _feed.LatestIdAsync(CancellationToken.None).ConfigureAwait(false);
        await _store.SetCheckpointAsync(new SourceCheckpoint(_checkpoint, "", position), CancellationToken.None).ConfigureAwait(false);
        return position;
    }

    /// <summary>Writes the events after <paramref name="position"/>.</summary>
    private async Task<(long Position, int Count)> WriteBatchAsync(long position)
    {
        // Never cancelled: a batch read is short, and stopping must still write what was recorded.
        var events = await _feed.ReadAfterAsync(position, Batch, CancellationToken.None).ConfigureAwait(false);
        if (events.Count == 0)
        {
            return (position, 0);
        }

        Append(EventsFileLine.Format(events));
        if (_reportedFailure is not null)
        {
            _reportedFailure = null;
            _logger.LogInformation("The events file {Path} is written again", FilePath);
        }

        var last = events[^1].Id;
        await _store.SetCheckpointLazilyAsync(new SourceCheckpoint(_checkpoint, "", last), CancellationToken.None).ConfigureAwait(false);
        return (last, events.Count);
    }

    private void Append(byte[] lines)
    {
        lock (AppendGate)
        {
            SecureDirectory.Ensure(Path.GetDirectoryName(FilePath)!, SecureDirectory.GroupReadable, SecureDirectory.GroupReadable);
            using var handle = AppendOnlyFile.Open(FilePath, FileMode);
            AppendOnlyFile.Append(handle, lines);
            // On disk before the checkpoint passes these lines, so not even a power cut loses one.
            using var flush = new FileStream(handle, FileAccess.Write, bufferSize: 0);
            flush.Flush(flushToDisk: true);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(0);

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        using var timer = new CancellationTokenSource(delay, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop, timer.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
