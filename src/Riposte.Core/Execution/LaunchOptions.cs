namespace Riposte.Execution;

/// <summary>Where a program's stdout or stderr goes.</summary>
public enum OutputTarget
{
    /// <summary>A pipe this process reads.</summary>
    Pipe,

    /// <summary><c>/dev/null</c>, as wazuh-execd does for stderr, and for stdout in delete runs.</summary>
    Null,
}

/// <summary>How <see cref="ProgramLauncher"/> wires a program's output (stdin is always a pipe).</summary>
/// <param name="Stdout">Where stdout goes.</param>
/// <param name="Stderr">Where stderr goes.</param>
public sealed record LaunchOptions(OutputTarget Stdout, OutputTarget Stderr)
{
    /// <summary>Add runs as Riposte does them: stdout and stderr both piped (execd discards stderr; we capture it).</summary>
    public static LaunchOptions AddRun { get; } = new(OutputTarget.Pipe, OutputTarget.Pipe);

    /// <summary>Delete runs as Riposte does them: stdout to /dev/null as execd does, stderr piped for the audit trail.</summary>
    public static LaunchOptions DeleteRun { get; } = new(OutputTarget.Null, OutputTarget.Pipe);
}
