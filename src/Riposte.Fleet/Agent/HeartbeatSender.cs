using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Riposte.Fleet.Messages;
using Riposte.Fleet.Transport;
using Riposte.State;

namespace Riposte.Fleet.Agent;

/// <summary>Says every interval that this agent is alive, what it runs and how many responses it holds.</summary>
internal sealed class HeartbeatSender
{
    private readonly INatsConnection _nats;
    private readonly SqliteStateStore _store;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _started;

    public HeartbeatSender(INatsConnection nats, SqliteStateStore store, AgentOptions options, TimeProvider time, ILogger logger)
    {
        _nats = nats;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _started = time.GetUtcNow();
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await SendAsync(stopping: false).ConfigureAwait(false);
            await _time.TryDelayAsync(_options.Heartbeat, stop).ConfigureAwait(false);
        }

        await SendAsync(stopping: true).ConfigureAwait(false);
    }

    private async Task SendAsync(bool stopping)
    {
        try
        {
            var active = await _store.CountTimeoutsAsync(CancellationToken.None).ConfigureAwait(false);
            var beat = new AgentHeartbeat(_options.AgentId, _options.Version, _time.GetUtcNow().ToUnixTimeMilliseconds(), _started.ToUnixTimeMilliseconds(),
                (long)_options.Heartbeat.TotalMilliseconds, active, Environment.MachineName, stopping);
            var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(beat, FleetJson.Default.AgentHeartbeat);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _nats.PublishAsync(FleetNames.HeartbeatSubject(_options.AgentId), bytes, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
        {
            _logger.LogDebug("Heartbeat not sent: {Error}", ex.Message);
        }
    }
}
