namespace Riposte.Config;

/// <summary>Which Wazuh daemon's reading of ossec.conf applies.</summary>
public enum ConfigRole
{
    /// <summary>A manager: analysisd's strict reading (commands, responses, white list) plus execd's settings.</summary>
    /// <remarks>The zero value on purpose: the CLI's <c>--role</c> reads as Manager when it is not given.</remarks>
    Manager = 0,

    /// <summary>
    /// An agent: only execd reads the file (its <c>disabled</c> and <c>repeated_offenders</c>), so the WPK elements
    /// <c>ca_store</c>/<c>ca_verification</c> are fine and blocks without command or location are execd-only.
    /// </summary>
    Agent,
}
