namespace Riposte.Execution;

/// <summary>What happened in one program run, for the engine's decisions and the audit trail.</summary>
/// <param name="Outcome">How the run ended.</param>
/// <param name="ExitCode">The exit code, when the program exited normally.</param>
/// <param name="Signal">The terminating signal (9 after a kill), when a signal ended the program.</param>
/// <param name="ControlLine">Add runs: the first stdout line without its <c>\n</c> / <c>\r\n</c>, at most 8191 bytes; null when none arrived.</param>
/// <param name="ControlLineTruncated">True when no newline came within 8191 bytes and the line was cut there (as execd's fgets does).</param>
/// <param name="Answer">Add runs: the second line written to stdin (without <c>\n</c>); null when none was written.</param>
/// <param name="Stdout">Everything read from stdout, control line included, up to the output limit (UTF-8, invalid bytes replaced).</param>
/// <param name="Stderr">Everything read from stderr, up to the output limit.</param>
/// <param name="OutputTruncated">True when stdout or stderr exceeded the output limit.</param>
/// <param name="Elapsed">From just before the spawn to the end of the run.</param>
/// <param name="Error">Why the run failed (for a spawn failure <c>&lt;strerror&gt; (&lt;errno&gt;)</c>, the part after Wazuh's
/// <c>(1317): Could not launch command</c>; which timeout fired...); null when it did not.</param>
public sealed record ProgramRunResult(
    RunOutcome Outcome,
    int? ExitCode,
    int? Signal,
    byte[]? ControlLine,
    bool ControlLineTruncated,
    byte[]? Answer,
    string Stdout,
    string Stderr,
    bool OutputTruncated,
    TimeSpan Elapsed,
    string? Error);
