using Riposte.Config;
using Riposte.Config.Settings;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The configuration, read by the same code as <c>serve</c> and <c>validate</c>: every error and warning is reported
/// as <c>FILE:LINE:COL: level (CODE): TEXT</c>.
/// </summary>
internal sealed class ConfigCheck : IDoctorCheck
{
    /// <inheritdoc />
    public string Id => "config";

    /// <inheritdoc />
    public string Title => "Configuration";

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        if (context.SettingsFile is { } settingsFile)
        {
            // Already loaded once to resolve the home (a settings file with errors stops the doctor before this); read
            // again here for its warnings, which the resolution does not keep.
            var (_, diagnostics) = RiposteSettingsReader.ReadFile(settingsFile);
            results.Add(Judge(settingsFile, diagnostics, "settings are valid", $"riposte validate --config {string.Join(" --config ", context.ConfigFiles)} --settings {settingsFile}"));
        }

        var config = context.Config;
        var subject = string.Join(", ", context.ConfigFiles);
        var summary = config.Config is { } loaded
            ? $"{loaded.Commands.Count} commands, {loaded.ActiveResponses.Count} active responses ({loaded.Blocks.Count(b => b.Status != ResponseStatus.Active)} disabled or dropped), read as the {context.Role.ToString().ToLowerInvariant()} reads it"
            : "invalid";
        results.Add(Judge(subject, config.Diagnostics, summary, $"riposte validate --role {context.Role.ToString().ToLowerInvariant()} --config {string.Join(" --config ", context.ConfigFiles)}"));
        return Task.FromResult<IReadOnlyList<CheckResult>>(results);
    }

    private CheckResult Judge(string subject, IReadOnlyList<ConfigDiagnostic> diagnostics, string summary, string validate)
    {
        var shown = diagnostics.Where(d => d.Severity != DiagnosticSeverity.Info).Select(d => d.ToString()).ToList();
        var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var warnings = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
        if (errors > 0)
        {
            return CheckResult.Fail(Id, subject, $"{errors} errors, {warnings} warnings: serve refuses to start (and a reload is rejected)",
                $"correct the lines below, then check with `{validate}`", shown);
        }

        return warnings > 0
            ? CheckResult.Warn(Id, subject, $"{summary}; {warnings} warnings", $"see the lines below (`{validate}` shows them too)", shown)
            : CheckResult.Pass(Id, subject, summary);
    }
}
