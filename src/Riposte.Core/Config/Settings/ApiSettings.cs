namespace Riposte.Config.Settings;

/// <summary>The <c>api</c> section: the HTTP API.</summary>
public sealed record ApiSettings
{
    /// <summary>The defaults: no API.</summary>
    public static ApiSettings Default { get; } = new();

    /// <summary>Where to listen; null (the default) means no API.</summary>
    public ListenEndpoint? Listen { get; init; }

    /// <summary>The file holding the bearer token clients must present; set whenever <see cref="Listen"/> is.</summary>
    public string? TokenFile { get; init; }
}

/// <summary>The <c>metrics</c> section: the Prometheus endpoint.</summary>
public sealed record MetricsSettings
{
    /// <summary>The defaults: no metrics endpoint.</summary>
    public static MetricsSettings Default { get; } = new();

    /// <summary>Where to serve <c>/metrics</c>; null (the default) means nowhere.</summary>
    public ListenEndpoint? Listen { get; init; }
}
