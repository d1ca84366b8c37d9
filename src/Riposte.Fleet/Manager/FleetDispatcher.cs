using Microsoft.Extensions.Logging;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Routing;
using Riposte.Fleet.Transport;
using Riposte.Fleet.View;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Fleet.Manager;

/// <summary>How a manager sends what it decides.</summary>
/// <param name="Manager">This manager's node name.</param>
/// <param name="CommandTtl">How long a command waits for its agent.</param>
/// <param name="Policies">The Riposte policy (and route) of an active response, by AR name and command name.</param>
public sealed record FleetDispatchOptions(string Manager, TimeSpan CommandTtl, Func<string, string, ResponsePolicy> Policies);

/// <summary>
/// A fleet manager's dispatch: analysisd's matching, then each action to where its location (or a Riposte route)
/// says: this host's engine, a Riposte agent's command stream, a Wazuh agent through remoted, or on record as
/// undeliverable. An alert counts as done once every action has run here or is stored in NATS.
/// </summary>
public sealed class FleetDispatcher : IAlertDispatcher
{
    private readonly ResponseEngine _engine;
    private readonly CommandPublisher _publisher;
    private readonly FleetStore _view;
    private readonly FleetDispatchOptions _options;
    private readonly Func<WazuhAgentDestination, WazuhConfig, ArAction, Alert, Task>? _remoted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentChains _chains = new();
    private volatile ArMatcher _matcher;
    private volatile FleetRouter _router;

    /// <summary>A dispatcher for <paramref name="config"/> and the agents of <paramref name="registry"/>.</summary>
    /// <param name="config">The Wazuh configuration (matching, message bodies).</param>
    /// <param name="registry">The enrolled agents.</param>
    /// <param name="engine">This host's engine, for what runs on the manager.</param>
    /// <param name="publisher">Stores commands for Riposte agents.</param>
    /// <param name="view">The fleet view: commands sent, undeliverable ones.</param>
    /// <param name="options">Node name, time-to-live, policies.</param>
    /// <param name="remoted">Sends to a Wazuh agent through remoted; null when no bridge is configured.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The manager's log.</param>
    public FleetDispatcher(WazuhConfig config, AgentRegistry registry, ResponseEngine engine, CommandPublisher publisher, FleetStore view,
        FleetDispatchOptions options, Func<WazuhAgentDestination, WazuhConfig, ArAction, Alert, Task>? remoted, TimeProvider time, ILogger logger)
    {
        _matcher = new ArMatcher(config);
        _router = new FleetRouter(registry, remoted is not null);
        _engine = engine;
        _publisher = publisher;
        _view = view;
        _options = options;
        _remoted = remoted;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    public WazuhConfig Config => _matcher.Config;

    /// <inheritdoc/>
    public void Reload(WazuhConfig config) => _matcher = new ArMatcher(config);

    /// <summary>Uses a new agent registry (after <c>riposte fleet add-agent</c> and a SIGHUP).</summary>
    public void Reload(AgentRegistry registry) => _router = new FleetRouter(registry, _remoted is not null);

    /// <inheritdoc/>
    public async Task<ExecOutcome[]> DispatchAsync(Alert alert, string source, bool replayable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var matcher = _matcher;
        var router = _router;
        var actions = new List<ArAction>();
        if (matcher.Match(alert, actions) == 0)
        {
            return [];
        }

        var local = new List<Task<ExecOutcome>>();
        var sent = new List<Task>();
        string? alertKey = null;
        foreach (var action in actions)
        {
            var response = action.Response;
            var body = ArMessageBuilder.Build(matcher.Config, response, alert);
            var route = _options.Policies(response.Name, response.CommandName ?? response.Name).Route;
            foreach (var destination in router.Route(action, alert, route))
            {
                switch (destination)
                {
                    case ManagerDestination:
                        string? decision = null;
                        if (replayable)
                        {
                            alertKey ??= AlertDispatcher.AlertKey(alert);
                            decision = AlertDispatcher.DecisionKey(alertKey, response.Name, ArTarget.Server);
                        }

                        // Entered now, in order, as the single-host dispatcher does.
                        local.Add(_engine.ExecuteAsync(new ExecRequest(body, source, decision), cancellationToken));
                        break;
                    case RiposteAgentDestination agent:
                        var command = NewCommand(agent.Id, body, response.Name, alert);
                        // Only the publish is chained (per agent, in order); the view's record of it runs beside it.
                        sent.Add(_chains.Enqueue(agent.Id, () => PublishAsync(command, response.Name, cancellationToken)));
                        sent.Add(_view.RecordSentAsync(new SentCommand(command.Id, agent.Id, FleetNames.ExecKind, response.Name, alert.Id,
                            alert.SrcIp ?? alert.DstUser, command.IssuedAt, command.ExpiresAt, _options.Manager), CancellationToken.None).AsTask());
                        break;
                    case WazuhAgentDestination wazuh:
                        var config = matcher.Config;
                        sent.Add(_chains.Enqueue(wazuh.Id, () => _remoted!(wazuh, config, action, alert)));
                        break;
                    case UndeliverableDestination nowhere:
                        _logger.LogWarning("{Response} for agent {Agent} not sent: {Reason}", response.Name, nowhere.Id, nowhere.Reason);
                        sent.Add(_view.RecordUndeliverableAsync(nowhere.Id, response.Name, alert.Id, nowhere.Reason, CancellationToken.None).AsTask());
                        break;
                }
            }
        }

        await Task.WhenAll(sent).ConfigureAwait(false);
        return await Task.WhenAll(local).ConfigureAwait(false);
    }

    private FleetCommand NewCommand(string agent, byte[] body, string arName, Alert alert)
    {
        var now = _time.GetUtcNow();
        return new FleetCommand(agent, FleetNames.ExecKind, body, CommandIds.ForAlert(alert.Json.Span, arName, agent), now, now + _options.CommandTtl);
    }

    private async Task PublishAsync(FleetCommand command, string arName, CancellationToken cancellationToken)
    {
        var duplicate = await _publisher.PublishAsync(command, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Sent {Response} to agent {Agent} (command {Id}{Duplicate})", arName, command.AgentId, command.Id, duplicate ? ", already stored" : "");
    }
}
