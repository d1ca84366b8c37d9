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

    /// <summary>Per-response policy (allowlist, dry run, rate cap, escalation) by AR name; null = defaults everywhere.</summary>
    public Func<string, Config.Settings.ResponsePolicy>? Policies { get; init; }

    /// <summary>Addresses never blocked (the host's own, its gateway and DNS, the allowlist); null = no check.</summary>
    public Safety.ProtectedAddresses? Protected { get; init; }

    /// <summary>Wazuh's white list, checked again at enforcement (messages from the exec queue or trigger did not pass the matcher here).</summary>
    public Matching.WhiteList? WhiteList { get; init; }

    /// <summary>
    /// Riposte's own set-based programs by name (<c>nft-drop</c>, <c>ipset-drop</c>): their sets are reconciled
    /// with the state, and with <see cref="SetBackend.InProcess"/> the engine applies their changes itself, batched,
    /// instead of spawning them. Null or empty = always spawn, never reconcile.
    /// </summary>
    public IReadOnlyDictionary<string, SetBackend>? SetBackends { get; init; }

    /// <summary>Wait between delete attempts.</summary>
    public TimeSpan DeleteRetryDelay { get; init; } = TimeSpan.FromMinutes(1);
}
