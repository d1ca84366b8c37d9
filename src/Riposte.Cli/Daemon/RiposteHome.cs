using Riposte.Config.Settings;

namespace Riposte.Cli.Daemon;

/// <summary>Where things live under a Wazuh home, and the Riposte settings that apply to it.</summary>
internal sealed record RiposteHome(string Home, RiposteSettings Settings)
{
    /// <summary>The SQLite state file.</summary>
    public string StatePath => Path.GetFullPath(Settings.State.Path, Home);

    /// <summary>Riposte's control socket (<c>revoke</c> and <c>trigger</c> talk to a running daemon through it).</summary>
    public string ControlSocket => Path.Combine(Home, "queue", "riposte", "control.sock");

    /// <summary>Wazuh's exec queue.</summary>
    public string ExecQueue => Path.Combine(Home, "queue", "alerts", "execq");

    /// <summary>The ossec.conf files from the settings, made absolute.</summary>
    public IReadOnlyList<string> OssecConf => [.. Settings.Wazuh.OssecConf.Select(p => Path.GetFullPath(p, Home))];

    /// <summary>The settings file the packages install (the service passes it with <c>--settings</c>).</summary>
    public const string SystemSettings = "/etc/riposte/riposte.json";

    /// <summary>
    /// The settings file these settings come from, or the one that would be read had it existed (null when there is
    /// none to look for); <c>serve</c> reads it again on SIGHUP.
    /// </summary>
    public string? SettingsFile { get; init; }

    /// <summary>True when <see cref="SettingsFile"/> was given with <c>--settings</c>, so it must exist.</summary>
    public bool SettingsGiven { get; init; }

    /// <summary>
    /// True when nothing named the home (no <c>--home</c>, no <c>home</c> in the settings) and
    /// <see cref="RiposteSettings.WazuhDefaultHome"/> does not exist, so the current directory stands in for it.
    /// </summary>
    public bool IsFallback { get; init; }

    /// <summary>
    /// What to tell a user whose command found nothing (no ossec.conf, no state) under a fallback home; null when the
    /// home was named or found. Without it they see only a missing file under whatever directory they happened to be in.
    /// </summary>
    public string? FallbackHint => IsFallback
        ? $"hint: no Riposte home found at {RiposteSettings.WazuhDefaultHome}, so the current directory {Home} was used; pass --home DIR (or set \"home\" in the settings given with --settings)"
        : null;

    /// <summary>
    /// Resolves <c>--home</c> and <c>--settings</c>: an explicit settings file, else <c>HOME/etc/riposte.json</c> when it
    /// exists, else (with neither option) <see cref="SystemSettings"/> when it exists, so a plain <c>riposte status</c>
    /// on an installed host reads the service's settings; else defaults. Errors are printed and null returned.
    /// </summary>
    public static RiposteHome? Resolve(string? home, string? settingsFile, CliIo io)
    {
        var candidate = settingsFile ?? (home is null ? SystemSettings : Path.Combine(home, "etc", "riposte.json"));
        var (settings, diagnostics) = ReadSettings(candidate, settingsFile is not null);
        foreach (var diagnostic in diagnostics.Where(d => d.Severity != Config.DiagnosticSeverity.Info))
        {
            io.Error.WriteLine(diagnostic.ToString());
        }

        if (settings is null)
        {
            return null;
        }

        var resolved = home is not null ? Path.GetFullPath(home) : settings.ResolveHome();
        if (!Directory.Exists(resolved))
        {
            io.Error.WriteLine($"home directory '{resolved}' does not exist (pass --home DIR)");
            return null;
        }

        return new RiposteHome(resolved, settings)
        {
            SettingsFile = candidate,
            SettingsGiven = settingsFile is not null,
            IsFallback = home is null && settings.Home is null && resolved != RiposteSettings.WazuhDefaultHome,
        };
    }

    /// <summary>
    /// Reads <paramref name="file"/> the way <see cref="Resolve"/> does: a file given with <c>--settings</c> must exist,
    /// one only looked for gives every default when it does not; null settings (and the errors) when it is invalid.
    /// </summary>
    public static (RiposteSettings? Settings, IReadOnlyList<Config.ConfigDiagnostic> Diagnostics) ReadSettings(string file, bool given) =>
        given || File.Exists(file) ? RiposteSettingsReader.ReadFile(file) : (RiposteSettings.Default, []);
}
