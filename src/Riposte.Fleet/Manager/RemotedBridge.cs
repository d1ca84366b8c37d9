using Microsoft.Extensions.Logging;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Fleet.Remoted;
using Riposte.Fleet.Routing;
using Riposte.Fleet.View;
using Riposte.Matching;

namespace Riposte.Fleet.Manager;

/// <summary>
/// A manager's path to unchanged Wazuh agents: analysisd's datagram on wazuh-remoted's AR queue. Delivery is Wazuh's
/// (no acknowledgement, nothing queued for a disconnected agent); the fleet view records each send as <c>sent</c> or
/// <c>undeliverable</c>.
/// </summary>
public sealed class RemotedBridge : IDisposable
{
    private readonly RemotedQueueSender _sender;
    private readonly FleetStore _view;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    /// <summary>A bridge to the socket at <paramref name="socketPath"/>.</summary>
    public RemotedBridge(string socketPath, FleetStore view, ILogger logger)
    {
        _sender = new RemotedQueueSender(socketPath, logger);
        _view = view;
        _logger = logger;
    }

    /// <summary>The bridge <paramref name="queue"/> names (relative to <paramref name="home"/>), or null when none is configured.</summary>
    public static RemotedBridge? Create(string home, string? queue, FleetStore view, ILogger logger) =>
        queue is null ? null : new RemotedBridge(Path.GetFullPath(queue, home), view, logger);

    /// <summary>Sends one action to one Wazuh agent and records what happened.</summary>
    public async Task SendAsync(WazuhAgentDestination destination, WazuhConfig config, ArAction action, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(alert);
        var datagram = RemotedFraming.Build(destination, config, action.Response, alert);
        RemotedSendResult result;
        lock (_gate)
        {
            // One socket, sends serialised as analysisd's mutex does.
            result = _sender.Send(datagram);
        }

        if (result.IsSent)
        {
            await _view.RecordRemotedAsync(destination.Id, action.Response.Name, alert.Id, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            _logger.LogWarning("{Response} for Wazuh agent {Agent} not sent through remoted: {Error}", action.Response.Name, destination.Id, result.Error);
            await _view.RecordUndeliverableAsync(destination.Id, action.Response.Name, alert.Id, $"remoted's queue: {result.Error}", CancellationToken.None)
                .ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _sender.Dispose();
}
