namespace Riposte.Config.Settings;

/// <summary>
/// Riposte's own settings, read from <c>riposte.json</c>. They live outside <c>ossec.conf</c> so that
/// Wazuh keeps accepting its own file unchanged.
/// </summary>
/// <remarks>
/// Every section is optional; an absent section or key keeps the default shown on its property.
/// Collections compare by reference, so two separately read files are not <c>Equals</c> even when identical.
/// </remarks>
public sealed record RiposteSettings
{
    /// <summary>Where Wazuh is installed when <see cref="Home"/> is not set and the directory exists.</summary>
    public const string WazuhDefaultHome = "/var/ossec";

    /// <summary>Every setting at its default; what an empty <c>{}</c> file produces.</summary>
    public static RiposteSettings Default { get; } = new();

    /// <summary>
    /// Root of the Wazuh layout (<c>active-response/bin</c>, <c>logs</c>, <c>queue</c>), relative to the current
    /// directory when relative. Null means <see cref="WazuhDefaultHome"/> when it exists, else the current directory;
    /// see <see cref="ResolveHome()"/>.
    /// </summary>
    public string? Home { get; init; }

    /// <summary>The state database.</summary>
    public StateSettings State { get; init; } = StateSettings.Default;

    /// <summary>Which Wazuh configuration files to read.</summary>
    public WazuhSettings Wazuh { get; init; } = WazuhSettings.Default;

    /// <summary>How active-response programs are run.</summary>
    public ExecutionSettings Execution { get; init; } = ExecutionSettings.Default;

    /// <summary>How repeated offenders are counted.</summary>
    public RepeatedOffendersSettings RepeatedOffenders { get; init; } = RepeatedOffendersSettings.Default;

    /// <summary>The policy every response starts from (the <c>defaults</c> section).</summary>
    public ResponsePolicy Defaults { get; init; } = ResponsePolicy.Default;

    /// <summary>
    /// Per-response adjustments keyed by active-response name (<c>firewall-drop600</c>) or command name
    /// (<c>firewall-drop</c>), compared ordinally as Wazuh does. Use <see cref="PolicyFor"/> to get the merged policy.
    /// </summary>
    public IReadOnlyDictionary<string, ResponsePolicyOverride> Responses { get; init; } =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, ResponsePolicyOverride>.Empty;

    /// <summary>Addresses that are never blocked.</summary>
    public SafetySettings Safety { get; init; } = SafetySettings.Default;

    /// <summary>Webhook targets, in file order; names are unique.</summary>
    public IReadOnlyList<NotificationTarget> Notifications { get; init; } = [];

    /// <summary>Manager/agent coordination over NATS.</summary>
    public FleetSettings Fleet { get; init; } = FleetSettings.Default;

    /// <summary>The HTTP API.</summary>
    public ApiSettings Api { get; init; } = ApiSettings.Default;

    /// <summary>The Prometheus endpoint.</summary>
    public MetricsSettings Metrics { get; init; } = MetricsSettings.Default;

    /// <summary>
    /// The effective policy for one response: <see cref="Defaults"/> merged with <c>responses[arName]</c>, or,
    /// when there is no such entry, <c>responses[commandName]</c>. Allow-lists add to the defaults' list; every
    /// other setting the entry gives replaces the default.
    /// </summary>
    /// <param name="arName">The active-response name as analysisd sends it, e.g. <c>firewall-drop600</c>.</param>
    /// <param name="commandName">The command's <c>&lt;name&gt;</c>, e.g. <c>firewall-drop</c>.</param>
    public ResponsePolicy PolicyFor(string arName, string commandName)
    {
        if (Responses.TryGetValue(arName, out var specific) || Responses.TryGetValue(commandName, out specific))
        {
            return specific.ApplyTo(Defaults);
        }

        return Defaults;
    }

    /// <summary>
    /// The absolute Wazuh home: <see cref="Home"/> made absolute, else <see cref="WazuhDefaultHome"/> when that
    /// directory exists, else the current directory.
    /// </summary>
    public string ResolveHome() => ResolveHome(Directory.Exists, Directory.GetCurrentDirectory());

    /// <summary>Resolves a path from these settings against <see cref="ResolveHome()"/>; absolute paths pass through.</summary>
    /// <param name="path">For example <see cref="StateSettings.Path"/> or an entry of <see cref="WazuhSettings.OssecConf"/>.</param>
    public string ResolvePath(string path) => Path.GetFullPath(path, ResolveHome());

    internal string ResolveHome(Func<string, bool> directoryExists, string currentDirectory)
    {
        if (Home is { } home)
        {
            return Path.GetFullPath(home, currentDirectory);
        }

        return directoryExists(WazuhDefaultHome) ? WazuhDefaultHome : currentDirectory;
    }
}
