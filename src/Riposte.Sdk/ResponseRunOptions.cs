namespace Riposte.Sdk;

/// <summary>Where a program runs and what it uses; every default is what execd would give it.</summary>
public sealed class ResponseRunOptions
{
    /// <summary>The Wazuh home; default <see cref="WazuhHome.ResolveForProcess"/> of argv0.</summary>
    public string? Home { get; init; }

    /// <summary>The log file; default <c>HOME/logs/active-responses.log</c>.</summary>
    public string? LogPath { get; init; }

    /// <summary>The clock for log lines and timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where tools are looked up; default <c>$PATH</c>.</summary>
    public string? SearchPath { get; init; }

    /// <summary>Environment lookups (program options such as <c>RIPOSTE_HOSTS_DENY</c>); default the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>How long to wait for a lock held by another run of a program before giving up.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
