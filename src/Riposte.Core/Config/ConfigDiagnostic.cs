namespace Riposte.Config;

/// <summary>How serious a configuration finding is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Informational; Wazuh logs it at INFO.</summary>
    Info,
    /// <summary>The configuration loads but probably does not do what was meant.</summary>
    Warning,
    /// <summary>Wazuh (or Riposte) refuses the configuration.</summary>
    Error,
}

/// <summary>One finding about a configuration file, with its position and, where Wazuh has one, its code.</summary>
/// <param name="Severity">Error, warning or info.</param>
/// <param name="Position">Where in which file.</param>
/// <param name="Code">Wazuh's message code (e.g. 1230), or null for Riposte's own findings.</param>
/// <param name="Message">The text; for coded messages it is Wazuh's exact text without the "(code): " prefix.</param>
public sealed record ConfigDiagnostic(DiagnosticSeverity Severity, SourcePosition Position, int? Code, string Message)
{
    /// <summary>The severity as printed: <c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    public string SeverityText => Severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        _ => "info",
    };

    /// <summary>Formats as <c>FILE:LINE:COL: error (CODE): TEXT</c> (the code part is omitted when there is none).</summary>
    public override string ToString() => Code is { } code
        ? $"{Position}: {SeverityText} ({code}): {Message}"
        : $"{Position}: {SeverityText}: {Message}";
}
