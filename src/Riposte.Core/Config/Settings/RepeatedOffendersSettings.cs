namespace Riposte.Config.Settings;

/// <summary>How repeat offences are counted.</summary>
public enum RepeatedOffenderMode
{
    /// <summary><c>wazuh</c>: execd's exact semantics; counters are never forgiven while the daemon runs.</summary>
    Wazuh,

    /// <summary><c>decay</c>: a counter is forgiven after <see cref="RepeatedOffendersSettings.ForgiveAfter"/> without offences.</summary>
    Decay,
}

/// <summary>The <c>repeated_offenders</c> section.</summary>
public sealed record RepeatedOffendersSettings
{
    /// <summary>The defaults.</summary>
    public static RepeatedOffendersSettings Default { get; } = new();

    /// <summary>The counting mode. Default <see cref="RepeatedOffenderMode.Wazuh"/>.</summary>
    public RepeatedOffenderMode Mode { get; init; } = RepeatedOffenderMode.Wazuh;

    /// <summary>The quiet period after which a counter is forgiven; only used with <see cref="RepeatedOffenderMode.Decay"/>. Default 24 h.</summary>
    public TimeSpan ForgiveAfter { get; init; } = TimeSpan.FromHours(24);
}
