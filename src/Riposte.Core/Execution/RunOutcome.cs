namespace Riposte.Execution;

/// <summary>How a program run ended.</summary>
public enum RunOutcome
{
    /// <summary>The program exited by itself (whatever its exit code) after the handshake.</summary>
    Completed,

    /// <summary>Add run: stdout reached EOF before any byte, so (as execd) nothing else was sent and no timeout entry is due.</summary>
    NoControlLine,

    /// <summary>Add run: no control line within <see cref="ProgramLimits.ControlLineTimeout"/>; the process group was killed.</summary>
    ControlLineTimeout,

    /// <summary>The run exceeded <see cref="ProgramLimits.RunTimeout"/>; the process group was killed.</summary>
    RunTimeout,

    /// <summary>The program could not be started (see <see cref="ProgramRunResult.Error"/>).</summary>
    SpawnFailed,

    /// <summary>The caller cancelled the run; the process group was killed.</summary>
    Cancelled,
}
