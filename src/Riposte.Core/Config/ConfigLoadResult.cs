namespace Riposte.Config;

/// <summary>The outcome of reading configuration: the configuration (null when an error makes it unusable) and every finding.</summary>
/// <param name="Config">The configuration, or null when any error was found.</param>
/// <param name="Diagnostics">Errors, warnings and infos in file order.</param>
public sealed record ConfigLoadResult(WazuhConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    /// <summary>True when Wazuh would refuse this configuration.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
