namespace Riposte.Execution;

/// <summary>
/// How a program ended: an exit code, or the signal that terminated it. Both are null when the status could not be
/// collected (the process was reaped by someone else, e.g. because SIGCHLD is ignored in this process).
/// </summary>
/// <param name="ExitCode">The exit code when the program called exit.</param>
/// <param name="Signal">The signal number when a signal terminated the program (9 after a kill).</param>
public readonly record struct ProgramExit(int? ExitCode, int? Signal);
