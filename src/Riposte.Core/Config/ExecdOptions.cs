namespace Riposte.Config;

/// <summary>What wazuh-execd reads from <c>&lt;active-response&gt;</c> blocks of its local ossec.conf.</summary>
/// <param name="Disabled">The first <c>&lt;disabled&gt;</c> found under any block.</param>
/// <param name="RepeatedOffenders">Escalation steps in minutes (at most 5, stops at the first 0); empty = off.</param>
public sealed record ExecdOptions(bool Disabled, IReadOnlyList<int> RepeatedOffenders)
{
    /// <summary>Execd defaults: enabled, no repeated-offender escalation.</summary>
    public static ExecdOptions Default { get; } = new(false, []);
}
