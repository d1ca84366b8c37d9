using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Engine;

/// <summary>
/// Single-host mode: alerts in, responses out. Each alert is matched with analysisd's rules and every action it
/// triggers runs locally through the engine, whatever its location.
/// </summary>
public sealed class AlertDispatcher : IAlertDispatcher
{
    private readonly ResponseEngine _engine;
    private readonly ILogger _logger;
    private volatile ArMatcher _matcher;

    /// <summary>Dispatches with <paramref name="config"/>'s responses.</summary>
    public AlertDispatcher(WazuhConfig config, ResponseEngine engine, ILogger<AlertDispatcher>? logger = null)
    {
        _matcher = new ArMatcher(config);
        _engine = engine;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Switches to a new configuration (SIGHUP); alerts already dispatched finish with the old one.</summary>
    public void Reload(WazuhConfig config) => _matcher = new ArMatcher(config);

    /// <summary>The configuration in use.</summary>
    public WazuhConfig Config => _matcher.Config;

    /// <summary>Runs every action <paramref name="alert"/> triggers; completes when all are done.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="source">Input name for the audit trail.</param>
    /// <param name="replayable">
    /// True when the input can deliver the same alert again after a restart (a tailed file): each action's decision is
    /// then recorded once its outcome is, and an action already decided is not run again.
    /// </param>
    /// <param name="cancellationToken">
    /// Gives up on actions still waiting for their turn (the returned task is then cancelled and those actions are not
    /// recorded); programs already running are not abandoned.
    /// </param>
    public Task<ExecOutcome[]> DispatchAsync(Alert alert, string source, bool replayable, CancellationToken cancellationToken)
    {
        var matcher = _matcher;
        var actions = new List<ArAction>();
        if (matcher.Match(alert, actions) == 0)
        {
            return Task.FromResult(Array.Empty<ExecOutcome>());
        }

        // Every action enters the engine now, in configuration order as analysisd sends them: the engine keeps each
        // target's requests in that order, across this alert's actions and the alerts after it.
        var outcomes = new Task<ExecOutcome>[actions.Count];
        string? alertKey = null;
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var body = ArMessageBuilder.Build(matcher.Config, action.Response, alert);
            string? decision = null;
            if (replayable)
            {
                alertKey ??= AlertKey(alert);
                decision = DecisionKey(alertKey, action.Response.Name, action.Target);
            }

            _logger.LogDebug("Send AR to execd: {Name} (alert {AlertId}, rule {RuleId})", action.Response.Name, alert.Id, alert.RuleId);
            outcomes[i] = _engine.ExecuteAsync(new ExecRequest(body, source, decision), cancellationToken);
        }

        return Task.WhenAll(outcomes);
    }

    /// <summary>The replay decision of one action: the alert (see <see cref="AlertKey"/>), the response and where it runs.</summary>
    public static string DecisionKey(string alertKey, string arName, ArTarget target) => $"{alertKey}|{arName}|{target}";

    /// <summary>What identifies an alert in replay decisions: its id, else a hash of its bytes.</summary>
    public static string AlertKey(Alert alert) =>
        alert.Id ?? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(alert.Json.Span));
}
