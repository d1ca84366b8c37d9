using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Engine;

/// <summary>Where the daemon hands each alert: this host's engine (single host) or a fleet manager's router.</summary>
public interface IAlertDispatcher
{
    /// <summary>The configuration in use.</summary>
    WazuhConfig Config { get; }

    /// <summary>Switches to a new configuration (SIGHUP); alerts already dispatched finish with the old one.</summary>
    void Reload(WazuhConfig config);

    /// <summary>
    /// Acts on every response <paramref name="alert"/> triggers; completes once each is done (run here, or stored for
    /// its agent), so the caller may then move its input position past the alert.
    /// </summary>
    /// <param name="alert">The alert.</param>
    /// <param name="source">Input name for the audit trail.</param>
    /// <param name="replayable">True when the input can deliver the same alert again after a restart.</param>
    /// <param name="cancellationToken">Gives up on actions still waiting (they are then not recorded).</param>
    /// <returns>The outcomes of the actions run on this host.</returns>
    Task<ExecOutcome[]> DispatchAsync(Alert alert, string source, bool replayable, CancellationToken cancellationToken);
}
