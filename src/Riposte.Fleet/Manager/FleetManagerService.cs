using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Fleet.Messages;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Fleet.View;

namespace Riposte.Fleet.Manager;

/// <summary>
/// The manager's side of NATS besides sending: creates the streams and each enrolled agent's consumer, and keeps the
/// fleet view current from agents' outcomes and heartbeats; commands no agent took within their time-to-live are
/// recorded as expired.
/// </summary>
public sealed class FleetManagerService
{
    private static readonly TimeSpan ExpiryGrace = TimeSpan.FromSeconds(5);

    private readonly NatsConnection _nats;
    private readonly NatsJSContext _js;
    private readonly FleetStore _view;
    private readonly FleetStreamOptions _streams;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A service for manager <paramref name="node"/>.</summary>
    public FleetManagerService(NatsConnection nats, FleetStore view, FleetStreamOptions streams, string node, TimeProvider time, ILogger logger)
    {
        _nats = nats;
        _js = new NatsJSContext(nats);
        _view = view;
        _streams = streams;
        _node = node;
        _time = time;
        _logger = logger;
    }

    /// <summary>The JetStream context commands are published with.</summary>
    public INatsJSContext JetStream => _js;

    /// <summary>Creates or updates the streams and one consumer per enrolled Riposte agent.</summary>
    public async Task PrepareAsync(AgentRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await FleetStreams.EnsureAsync(_js, _streams, cancellationToken).ConfigureAwait(false);
        var count = 0;
        foreach (var agent in registry.Agents.Where(a => a.Transport == AgentTransport.Riposte))
        {
            await FleetStreams.EnsureAgentConsumerAsync(_js, agent.Id, _streams, cancellationToken).ConfigureAwait(false);
            count++;
        }

        _logger.LogInformation("Fleet streams ready; {Count} Riposte agents enrolled", count);
    }

    /// <summary>Follows outcomes and heartbeats and expires overdue commands until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        await Task.WhenAll(OutcomesAsync(stop), HeartbeatsAsync(stop), ExpiryAsync(stop)).ConfigureAwait(false);
    }

    private async Task OutcomesAsync(CancellationToken stop)
    {
        // The consumer hands messages over as they come; the recorder takes whatever has arrived (up to a batch) and
        // records it in one transaction before acknowledging each, so a busy fleet costs one disk flush per batch.
        var arrived = System.Threading.Channels.Channel.CreateBounded<INatsJSMsg<byte[]>>(
            new System.Threading.Channels.BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        var recorder = RecordOutcomesAsync(arrived.Reader);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var consumer = await FleetStreams.EnsureManagerConsumerAsync(_js, _node, stop).ConfigureAwait(false);
                    await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 256 }, cancellationToken: stop).ConfigureAwait(false))
                    {
                        await arrived.Writer.WriteAsync(msg, stop).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException)
                {
                    _logger.LogWarning("Reading outcomes failed ({Error}); retrying", ex.Message);
                    await _time.TryDelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            arrived.Writer.Complete();
            await recorder.ConfigureAwait(false);
        }
    }

    private async Task RecordOutcomesAsync(System.Threading.Channels.ChannelReader<INatsJSMsg<byte[]>> arrived)
    {
        var batch = new List<INatsJSMsg<byte[]>>(256);
        var outcomes = new List<AgentOutcome>(256);
        while (await arrived.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            outcomes.Clear();
            while (batch.Count < 256 && arrived.TryRead(out var msg))
            {
                batch.Add(msg);
            }

            foreach (var msg in batch)
            {
                var agent = msg.Subject.StartsWith(FleetNames.OutcomePrefix, StringComparison.Ordinal) ? msg.Subject[FleetNames.OutcomePrefix.Length..] : "";
                var outcome = FleetJson.ParseOutcome(msg.Data);
                if (outcome is null || outcome.Agent != agent)
                {
                    // NATS permissions keep an agent to its own subject; the payload must agree, or it is someone's forgery.
                    _logger.LogWarning("Dropped an outcome on {Subject}: {Why}", msg.Subject, outcome is null ? "not an outcome" : $"it claims agent {outcome.Agent}");
                    continue;
                }

                outcomes.Add(outcome);
            }

            try
            {
                var fresh = await _view.RecordOutcomesAsync(outcomes, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < outcomes.Count; i++)
                {
                    if (fresh[i] && _logger.IsEnabled(LogLevel.Information))
                    {
                        var outcome = outcomes[i];
                        _logger.LogInformation("Agent {Agent}: {Event} {Response} {Key}{Exit}", outcome.Agent, outcome.Event, outcome.ArName,
                            outcome.RKey ?? string.Join(",", outcome.Keys), outcome.ExitCode is { } code ? $" (exit {code})" : "");
                    }
                }
            }
            catch (Exception ex)
            {
                // Not acknowledged: NATS delivers them again and the view records them then.
                _logger.LogError(ex, "Could not record {Count} outcomes; they will be delivered again", outcomes.Count);
                continue;
            }

            foreach (var msg in batch)
            {
                try
                {
                    await msg.AckAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException)
                {
                    // Delivered again later and recognised as a repeat.
                    _logger.LogDebug("Outcome ack not sent: {Error}", ex.Message);
                }
            }
        }
    }

    private async Task HeartbeatsAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var msg in _nats.SubscribeAsync<byte[]>(FleetNames.HeartbeatPrefix + "*", cancellationToken: stop).ConfigureAwait(false))
            {
                var agent = msg.Subject[FleetNames.HeartbeatPrefix.Length..];
                if (FleetJson.ParseHeartbeat(msg.Data) is { } beat && beat.Agent == agent)
                {
                    await _view.RecordHeartbeatAsync(beat, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ExpiryAsync(CancellationToken stop)
    {
        while (await _time.TryDelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false))
        {
            // A grace period: an outcome that answered a command just before its deadline may still be on its way (or in the
            // backlog a restarted manager reads first).
            foreach (var command in await _view.ExpireOverdueAsync(_time.GetUtcNow() - ExpiryGrace, CancellationToken.None).ConfigureAwait(false))
            {
                _logger.LogWarning("Command {Id} ({Response}) for agent {Agent} expired: not taken within its time-to-live", command.Id, command.ArName, command.Agent);
            }
        }
    }
}
