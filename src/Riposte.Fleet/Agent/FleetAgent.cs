using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Engine;
using Riposte.State;

namespace Riposte.Fleet.Agent;

/// <summary>
/// <c>riposte agent</c>'s fleet side: takes this agent's commands from NATS and runs them on the local engine, reports
/// every outcome, and sends heartbeats. The engine's own reverts never depend on NATS or the manager.
/// </summary>
public sealed class FleetAgent
{
    private readonly AgentCommandLoop _commands;
    private readonly OutcomeOutbox _outbox;
    private readonly HeartbeatSender _heartbeat;

    /// <summary>An agent on <paramref name="nats"/> driving <paramref name="engine"/>.</summary>
    public FleetAgent(INatsConnection nats, ResponseEngine engine, SqliteStateStore store, AgentOptions options, TimeProvider time, ILogger logger)
    {
        var js = new NatsJSContext((NatsConnection)nats);
        _outbox = new OutcomeOutbox(js, store, options, time, logger);
        _commands = new AgentCommandLoop(js, engine, store, options, time, logger, _outbox.Wake);
        _heartbeat = new HeartbeatSender(nats, store, options, time, logger);
    }

    /// <summary>Commands received and not yet acknowledged.</summary>
    public int InFlight => _commands.InFlight;

    /// <summary>
    /// Runs until <paramref name="stop"/>: then stops taking commands, finishes and acknowledges those started, and
    /// flushes outcomes for at most <paramref name="flushLimit"/>.
    /// </summary>
    public async Task RunAsync(TimeSpan flushLimit, CancellationToken stop)
    {
        using var abandon = new CancellationTokenSource();
        var outbox = _outbox.RunAsync(stop, abandon.Token);
        var heartbeat = _heartbeat.RunAsync(stop);
        await _commands.RunAsync(stop).ConfigureAwait(false);
        _outbox.Wake();
        abandon.CancelAfter(flushLimit);
        await Task.WhenAll(outbox, heartbeat).ConfigureAwait(false);
    }
}
