using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Fleet.Messages;
using Riposte.Fleet.Transport;
using Riposte.State;

namespace Riposte.Fleet.Agent;

/// <summary>
/// Reports every row of the agent's audit trail to the outcome stream, in order, exactly as recorded: the audit table
/// is the outbox and a checkpoint holds the last row NATS acknowledged, so neither a NATS outage nor an agent crash
/// loses an outcome (a row published but not checkpointed goes again with the same id, which NATS drops).
/// </summary>
internal sealed class OutcomeOutbox
{
    private const string PositionCheckpoint = "fleet:outbox";
    private const string InstanceCheckpoint = "fleet:instance";

    private readonly INatsJSContext _js;
    private readonly SqliteStateStore _store;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Threading.Channels.Channel<byte> _wake =
        System.Threading.Channels.Channel.CreateBounded<byte>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    public OutcomeOutbox(INatsJSContext js, SqliteStateStore store, AgentOptions options, TimeProvider time, ILogger logger)
    {
        _js = js;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _store.AuditAppended += Wake;
    }

    /// <summary>Something was recorded: look now rather than at the next poll.</summary>
    public void Wake() => _wake.Writer.TryWrite(0);

    /// <summary>Publishes until <paramref name="stop"/>, then makes one last attempt (bounded) to send what is left.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abandon)
    {
        var instance = await InstanceAsync().ConfigureAwait(false);
        var position = (await _store.GetCheckpointAsync(PositionCheckpoint, CancellationToken.None).ConfigureAwait(false))?.Offset ?? 0;
        var outage = false;
        while (true)
        {
            var stopping = stop.IsCancellationRequested;
            var token = stopping ? abandon : CancellationToken.None;
            IReadOnlyList<AuditRecord> rows;
            try
            {
                rows = await _store.ReadAuditAfterAsync(position, 256, token).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    await PublishAsync(instance, row, stopping ? abandon : stop).ConfigureAwait(false);
                    position = row.Id;
                }

                if (rows.Count > 0)
                {
                    await _store.SetCheckpointLazilyAsync(new SourceCheckpoint(PositionCheckpoint, instance, position), CancellationToken.None).ConfigureAwait(false);
                    if (outage)
                    {
                        _logger.LogInformation("Outcomes reach NATS again");
                        outage = false;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                await _store.SetCheckpointLazilyAsync(new SourceCheckpoint(PositionCheckpoint, instance, position), CancellationToken.None).ConfigureAwait(false);
                if (stopping || stop.IsCancellationRequested && abandon.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                await _store.SetCheckpointLazilyAsync(new SourceCheckpoint(PositionCheckpoint, instance, position), CancellationToken.None).ConfigureAwait(false);
                if (!outage)
                {
                    _logger.LogWarning("Outcomes cannot reach NATS ({Error}); they wait in the audit trail", ex.Message);
                    outage = true;
                }

                if (stopping)
                {
                    return;
                }

                await WaitAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                continue;
            }

            if (stopping && rows.Count == 0)
            {
                return;
            }

            if (rows.Count < 256 && !stopping)
            {
                // Woken by each audit commit; the timeout is only a safety net.
                await WaitAsync(TimeSpan.FromSeconds(5), stop).ConfigureAwait(false);
            }
        }
    }

    private async Task PublishAsync(string instance, AuditRecord row, CancellationToken cancellationToken)
    {
        long? expires = null;
        if (row.RKey is { } rkey && (row.Event is AuditEvents.Add or AuditEvents.Abort or AuditEvents.Continue))
        {
            expires = (await _store.GetTimeoutAsync(rkey, CancellationToken.None).ConfigureAwait(false))?.ExpiresAt.ToUnixTimeMilliseconds();
        }

        var outcome = new AgentOutcome(_options.AgentId, instance, row.Id, row.At.ToUnixTimeMilliseconds(), row.Event, row.RKey, row.Program, row.ArName,
            row.AlertId, row.Keys, row.ExitCode, row.DurationMs, row.Detail, row.Source, expires, row.RuleId, row.RuleLevel);
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(outcome, FleetJson.Default.AgentOutcome);
        var ack = await _js.PublishAsync(FleetNames.OutcomeSubject(_options.AgentId), bytes,
            opts: new NatsJSPubOpts { MsgId = $"{_options.AgentId}-{instance}-{row.Id}" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        ack.EnsureSuccess();
    }

    /// <summary>This state's identity; a new state file starts new sequence numbers, so the manager must tell them apart.</summary>
    private async Task<string> InstanceAsync()
    {
        if (await _store.GetCheckpointAsync(InstanceCheckpoint, CancellationToken.None).ConfigureAwait(false) is { } known)
        {
            return known.FileIdentity;
        }

        var fresh = Guid.NewGuid().ToString("N")[..12];
        await _store.SetCheckpointAsync(new SourceCheckpoint(InstanceCheckpoint, fresh, 0), CancellationToken.None).ConfigureAwait(false);
        return fresh;
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(delay);
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
