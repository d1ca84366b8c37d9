using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Engine;
using Riposte.State;

namespace Riposte.Fleet.Agent;

/// <summary>
/// Takes this agent's commands from its durable consumer and runs each through the engine exactly once, in stream order:
/// the engine records the command's decision (<c>fleet:&lt;id&gt;</c>) with its outcome, a redelivered command is
/// acknowledged without running again, and a command is acknowledged only once its program has run.
/// </summary>
internal sealed class AgentCommandLoop
{
    private readonly INatsJSContext _js;
    private readonly ResponseEngine _engine;
    private readonly SqliteStateStore _store;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _outcomeRecorded;
    private readonly ConcurrentDictionary<ulong, INatsJSMsg<byte[]>> _inFlight = new();
    private readonly List<INatsJSMsg<byte[]>> _held = [];
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public AgentCommandLoop(INatsJSContext js, ResponseEngine engine, SqliteStateStore store, AgentOptions options, TimeProvider time, ILogger logger,
        Action outcomeRecorded)
    {
        _js = js;
        _engine = engine;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _outcomeRecorded = outcomeRecorded;
    }

    /// <summary>Commands received and not yet acknowledged.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Runs until <paramref name="stop"/>; then finishes the programs already started and acknowledges them.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var consumer = await BindAsync(stop).ConfigureAwait(false);
        if (consumer is null)
        {
            return;
        }

        // Commands this agent took before a crash come back only after the ack wait; newer ones would arrive first. Hold
        // the newer ones until the older ones are back (or twice the ack wait has passed), so each target's order holds.
        var info = consumer.Info;
        var owed = (long)info.NumAckPending;
        var boundary = info.Delivered.StreamSeq;
        var holdUntil = _time.GetUtcNow() + _options.AckWait * 2;
        if (owed > 0)
        {
            _logger.LogInformation("{Count} commands taken before the last stop come back within {Wait}; newer ones wait for them", owed, _options.AckWait);
        }

        using var progress = new CancellationTokenSource();
        var ticker = KeepAliveAsync(progress.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 32, Expires = TimeSpan.FromSeconds(5) },
                                       cancellationToken: stop).ConfigureAwait(false))
                    {
                        var seq = msg.Metadata?.Sequence.Stream ?? 0;
                        if (_inFlight.ContainsKey(seq))
                        {
                            // Redelivered while its program still runs (a long run outlived the ack wait): the running one acks.
                            continue;
                        }

                        if (owed > 0 && seq <= boundary)
                        {
                            owed--;
                            Start(msg, seq);
                            if (owed == 0)
                            {
                                ReleaseHeld();
                            }

                            continue;
                        }

                        if (owed > 0 && _time.GetUtcNow() < holdUntil)
                        {
                            _inFlight[seq] = msg;
                            _held.Add(msg);
                            continue;
                        }

                        if (owed > 0)
                        {
                            _logger.LogWarning("{Count} commands taken before the last stop did not come back (expired?); running newer ones", owed);
                            owed = 0;
                            ReleaseHeld();
                        }

                        Start(msg, seq);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (NatsJSException ex) when (!stop.IsCancellationRequested)
                {
                    _logger.LogWarning("Consuming commands failed ({Error}); retrying", ex.Message);
                    await _time.TryDelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Held commands never started: give them back now rather than after the ack wait.
            foreach (var held in _held)
            {
                _inFlight.TryRemove(held.Metadata?.Sequence.Stream ?? 0, out _);
                await TryAsync(() => held.NakAsync(cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }

            _held.Clear();
            await Task.WhenAll(_running.Keys).ConfigureAwait(false);
            await progress.CancelAsync().ConfigureAwait(false);
            await ticker.ConfigureAwait(false);
        }
    }

    private async Task<INatsJSConsumer?> BindAsync(CancellationToken stop)
    {
        var name = FleetNames.AgentConsumer(_options.AgentId);
        var told = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var consumer = await _js.GetConsumerAsync(FleetNames.CommandStream, name, stop).ConfigureAwait(false);
                _logger.LogInformation("Taking commands from {Stream}/{Consumer}", FleetNames.CommandStream, name);
                return consumer;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                if (!told)
                {
                    _logger.LogWarning("No consumer {Consumer} on {Stream} yet ({Error}); is this agent enrolled and has a manager started? Retrying",
                        name, FleetNames.CommandStream, ex.Message);
                    told = true;
                }

                await _time.TryDelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
            }
        }

        return null;
    }

    private void ReleaseHeld()
    {
        foreach (var held in _held)
        {
            var seq = held.Metadata?.Sequence.Stream ?? 0;
            _inFlight.TryRemove(seq, out _);
            Start(held, seq);
        }

        _held.Clear();
    }

    /// <summary>Enters the command into the engine now (its arrival order), then acknowledges it once it has run.</summary>
    private void Start(INatsJSMsg<byte[]> msg, ulong seq)
    {
        _inFlight[seq] = msg;
        var task = RunOneAsync(msg, seq);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunOneAsync(INatsJSMsg<byte[]> msg, ulong seq)
    {
        var id = Header(msg, "Nats-Msg-Id") ?? $"seq-{seq}";
        var decision = "fleet:" + id;
        var source = "fleet:" + id;
        var ack = true;
        try
        {
            var expires = long.TryParse(Header(msg, FleetNames.ExpiresHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : (DateTimeOffset?)null;
            var kind = Header(msg, FleetNames.KindHeader) ?? FleetNames.ExecKind;
            var payload = msg.Data ?? [];
            if (expires is { } deadline && _time.GetUtcNow() > deadline)
            {
                await RecordExpiredAsync(decision, source, payload, kind, deadline).ConfigureAwait(false);
            }
            else if (kind == FleetNames.RevokeKind)
            {
                await RevokeAsync(decision, Encoding.UTF8.GetString(payload)).ConfigureAwait(false);
            }
            else if (kind == FleetNames.ExecKind)
            {
                // Not the stop token: a program that was taken runs to its end, then is acknowledged.
                var outcome = await _engine.ExecuteAsync(new ExecRequest(payload, source, decision), CancellationToken.None).ConfigureAwait(false);
                ack = outcome.Result != ExecResult.Interrupted;
                _logger.LogDebug("Command {Id}: {Result} {RKey}", id, outcome.Result, outcome.RKey);
            }
            else
            {
                _logger.LogWarning("Command {Id} has an unknown kind '{Kind}'; acknowledged and ignored", id, kind);
            }
        }
        catch (Exception ex)
        {
            // The state could not be written: leave it to NATS to deliver again rather than lose it.
            _logger.LogError(ex, "Command {Id} could not be handled; it will be delivered again", id);
            ack = false;
            await TryAsync(() => msg.NakAsync(cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
        finally
        {
            if (ack)
            {
                await TryAsync(() => msg.AckAsync(cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }

            _inFlight.TryRemove(seq, out _);
            _outcomeRecorded();
        }
    }

    private async Task RecordExpiredAsync(string decision, string source, byte[] payload, string kind, DateTimeOffset deadline)
    {
        if (await _store.IsDecidedAsync(decision, CancellationToken.None).ConfigureAwait(false))
        {
            return;
        }

        string? arName = null;
        string? alertId = null;
        if (kind == FleetNames.ExecKind && Protocol.Execd.ExecdMessage.TryParse(payload, out var message, out _) && message is not null)
        {
            arName = message.CommandName;
            alertId = message.AlertId;
        }

        var late = _time.GetUtcNow() - deadline;
        await _store.AppendAuditAsync(new AuditRecord(0, _time.GetUtcNow(), AuditEvents.Expired, null, "", arName, alertId, [], null, 0, null, null,
            $"arrived {late.TotalSeconds:0.#} s after its time-to-live ran out ({deadline:O}); not run", source), CancellationToken.None).ConfigureAwait(false);
        await _store.RecordDecisionAsync(decision, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        _logger.LogWarning("Command {Source} expired at {Deadline:O}; not run", source, deadline);
    }

    private async Task RevokeAsync(string decision, string key)
    {
        if (await _store.IsDecidedAsync(decision, CancellationToken.None).ConfigureAwait(false))
        {
            return;
        }

        if (key.Length is 0 or > 512 || key.Any(char.IsControl))
        {
            // Only a key to look up in this agent's own state, but still bounded: it lands in logs and the audit trail.
            _logger.LogWarning("Revoke command with an unusable key ({Length} characters) ignored", key.Length);
            await _store.RecordDecisionAsync(decision, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var outcomes = await _engine.RevokeAsync(key, CancellationToken.None).ConfigureAwait(false);
        await _store.RecordDecisionAsync(decision, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        _logger.LogInformation("Revoke {Key}: {Count} responses undone", key, outcomes.Count);
    }

    /// <summary>Tells NATS, well within the ack wait, that running and held commands are still being worked on.</summary>
    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var every = _options.AckWait / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await _time.TryDelayAsync(every, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            foreach (var msg in _inFlight.Values)
            {
                await TryAsync(() => msg.AckProgressAsync(cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private async Task TryAsync(Func<ValueTask> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // The connection is down: NATS delivers the command again and its recorded decision keeps it from running twice.
            _logger.LogDebug("Acknowledgement not sent: {Error}", ex.Message);
        }
    }

    private static string? Header(INatsJSMsg<byte[]> msg, string name) =>
        msg.Headers is { } headers && headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
