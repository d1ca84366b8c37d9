namespace Riposte.Config.Settings;

/// <summary>The <c>execution</c> section: how active-response programs are run.</summary>
public sealed record ExecutionSettings
{
    /// <summary>The smallest accepted <see cref="MaxParallel"/>.</summary>
    public const int MinParallel = 1;

    /// <summary>The largest accepted <see cref="MaxParallel"/>.</summary>
    public const int MaxParallelLimit = 1024;

    /// <summary>The defaults.</summary>
    public static ExecutionSettings Default { get; } = new();

    /// <summary>How many programs (with distinct rkeys) may run at once; 1 to 1024. Default 8.</summary>
    public int MaxParallel { get; init; } = 8;

    /// <summary>How long to wait for a program's first stdout line (its control line). Default 10 s.</summary>
    public TimeSpan ControlLineTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a whole run may take before its process group is killed. Default 60 s.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many bytes of each of stdout and stderr are kept for the audit trail. Default 65536.</summary>
    public int OutputLimitBytes { get; init; } = 65536;

    /// <summary>
    /// Whether to revert every active block on shutdown, as Wazuh's execd does. Default false: Riposte keeps
    /// blocks across restarts and reverts them when they expire.
    /// </summary>
    public bool RevertOnShutdown { get; init; }
}
