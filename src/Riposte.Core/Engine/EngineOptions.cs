using Riposte.Execution;

namespace Riposte.Engine;

/// <summary>How the engine runs programs and keeps state.</summary>
public sealed record EngineOptions
{
    /// <summary>The Wazuh home: programs under <c>active-response/bin</c>, the program log under <c>logs</c>.</summary>
    public required string Home { get; init; }

    /// <summary>Programs running at once (different rkeys); the same rkey is always serialised.</summary>
    public int MaxParallel { get; init; } = 8;

    /// <summary>Time limits and capture bounds for each run.</summary>
    public ProgramLimits Limits { get; init; } = ProgramLimits.Default;

    /// <summary>Run every pending delete when the engine stops (Wazuh's behaviour); off by default.</summary>
    public bool RevertOnShutdown { get; init; }

    /// <summary>execd's <c>repeated_offenders</c> steps in minutes; empty disables escalation.</summary>
    public IReadOnlyList<int> RepeatedOffenders { get; init; } = [];

    /// <summary>When set, a counter quiet for this long is forgiven (Riposte's decay mode).</summary>
    public TimeSpan? ForgiveAfter { get; init; }

    /// <summary>How many times a failed delete is retried before it is given up (and recorded as such).</summary>
    public int DeleteAttempts { get; init; } = 3;

    /// <summary>Wait between delete attempts.</summary>
    public TimeSpan DeleteRetryDelay { get; init; } = TimeSpan.FromMinutes(1);
}
