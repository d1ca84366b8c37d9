namespace Riposte.Execution;

/// <summary>Limits of one program run (riposte.json <c>execution.*</c>).</summary>
/// <param name="ControlLineTimeout">How long an add run may take to print its first stdout line (Wazuh waits forever).
/// This is what catches a program that reads stdin to EOF: execd does not close stdin after the first line.</param>
/// <param name="RunTimeout">The whole run, from spawn to exit, including the wait for the decision; then the process
/// group is killed.</param>
/// <param name="OutputLimitBytes">Bytes of stdout and of stderr (each) kept for the audit trail; the rest is read and discarded.</param>
public sealed record ProgramLimits(TimeSpan ControlLineTimeout, TimeSpan RunTimeout, int OutputLimitBytes)
{
    /// <summary>10 s for the control line, 60 s per run, 64 KiB of output.</summary>
    public static ProgramLimits Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 65536);
}
