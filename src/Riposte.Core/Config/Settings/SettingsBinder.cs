using System.Net;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// Turns a parsed <c>riposte.json</c> into <see cref="RiposteSettings"/>, reporting every problem at its
/// position and carrying on, so one run shows the user everything to fix.
/// </summary>
internal sealed class SettingsBinder
{
    private static readonly string[] RootKeys =
        ["home", "state", "wazuh", "execution", "repeated_offenders", "defaults", "responses", "safety", "notifications", "fleet", "api", "metrics"];

    private static readonly string[] StateKeys = ["path"];
    private static readonly string[] WazuhKeys = ["ossec_conf"];
    private static readonly string[] ExecutionKeys = ["max_parallel", "control_line_timeout", "run_timeout", "output_limit_bytes", "revert_on_shutdown"];
    private static readonly string[] RepeatedOffendersKeys = ["mode", "forgive_after"];
    private static readonly string[] PolicyKeys = ["allowlist", "dry_run", "max_new_per_minute", "escalation", "notify", "route"];
    private static readonly string[] RouteKeys = ["agents", "groups", "labels", "manager", "all_agents", "alert_agent"];
    private static readonly string[] SafetyKeys = ["never_block_self", "allowlist"];
    private static readonly string[] NotificationKeys = ["name", "url", "events", "min_interval", "headers"];
    private static readonly string[] FleetKeys =
    [
        "role", "nats_url", "agent_id", "credentials_file", "command_ttl", "node_name", "heartbeat", "ack_wait", "replicas",
        "outcome_retention", "remoted_queue", "tls_ca_file", "tls_cert_file", "tls_key_file",
    ];

    /// <summary>The keys that only a manager reads; an agent warns about them.</summary>
    private static readonly string[] ManagerOnlyFleetKeys = ["replicas", "outcome_retention", "remoted_queue"];
    private static readonly string[] ApiKeys = ["listen", "token_file"];
    private static readonly string[] MetricsKeys = ["listen"];

    private static readonly string[] Modes = ["wazuh", "decay"];
    private static readonly string[] Roles = ["standalone", "manager", "agent"];
    private static readonly string[] EventNames = ["add", "delete", "abort", "failure", "timeout"];
    private static readonly NotificationEvents[] EventFlags =
        [NotificationEvents.Add, NotificationEvents.Delete, NotificationEvents.Abort, NotificationEvents.Failure, NotificationEvents.Timeout];

    private static readonly string[] NatsSchemes = ["nats", "tls", "ws", "wss"];
    private const string HeaderNameSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>Longest node, group or label name: they end up in NATS names, file names and log lines.</summary>
    private const int MaxNameLength = 64;

    /// <summary>Stream replicas NATS allows.</summary>
    private const int MaxReplicas = 5;

    private readonly SourceMap _map;
    private readonly JsonPositionIndex _index;
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly Dictionary<string, string> _notificationNames = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Path)> _notifyReferences = [];

    public SettingsBinder(SourceMap map, JsonPositionIndex index, List<ConfigDiagnostic> diagnostics)
    {
        _map = map;
        _index = index;
        _diagnostics = diagnostics;
    }

    private readonly record struct Property(string Name, JsonElement Value, string Path)
    {
        public bool IsNull => Value.ValueKind == JsonValueKind.Null;
    }

    public RiposteSettings Bind(JsonElement root)
    {
        var settings = RiposteSettings.Default;
        if (!IsObject(root, ""))
        {
            return settings;
        }

        foreach (var p in Properties(root, ""))
        {
            switch (p.Name)
            {
                case "home":
                    if (TryOptionalText(p.Value, p.Path, out string? home))
                    {
                        settings = settings with { Home = home };
                    }

                    break;
                case "state":
                    settings = settings with { State = BindState(p.Value, p.Path) };
                    break;
                case "wazuh":
                    settings = settings with { Wazuh = BindWazuh(p.Value, p.Path) };
                    break;
                case "execution":
                    settings = settings with { Execution = BindExecution(p.Value, p.Path) };
                    break;
                case "repeated_offenders":
                    settings = settings with { RepeatedOffenders = BindRepeatedOffenders(p.Value, p.Path) };
                    break;
                case "defaults":
                    settings = settings with { Defaults = BindPolicy(p.Value, p.Path).ApplyTo(ResponsePolicy.Default) };
                    break;
                case "responses":
                    settings = settings with { Responses = BindResponses(p.Value, p.Path) };
                    break;
                case "safety":
                    settings = settings with { Safety = BindSafety(p.Value, p.Path) };
                    break;
                case "notifications":
                    settings = settings with { Notifications = BindNotifications(p.Value, p.Path) };
                    break;
                case "fleet":
                    settings = settings with { Fleet = BindFleet(p.Value, p.Path) };
                    break;
                case "api":
                    settings = settings with { Api = BindApi(p.Value, p.Path) };
                    break;
                case "metrics":
                    settings = settings with { Metrics = BindMetrics(p.Value, p.Path) };
                    break;
                default:
                    UnknownKey(p, "", RootKeys);
                    break;
            }
        }

        // notify may name a target defined further down the file, so references are checked once all are known
        foreach (var (name, path) in _notifyReferences)
        {
            if (!_notificationNames.ContainsKey(name))
            {
                string known = _notificationNames.Count == 0
                    ? "there are no notifications"
                    : "known: " + string.Join(", ", _notificationNames.Keys);
                string? guess = KeySuggestion.Closest(name, [.. _notificationNames.Keys]);
                Error(path, $"{path}: no notification is named \"{name}\"" + (guess is null ? $" ({known})" : $"; did you mean \"{guess}\"?"));
            }
        }

        CheckListenersApart(settings);
        return settings;
    }

    private StateSettings BindState(JsonElement value, string path)
    {
        var state = StateSettings.Default;
        if (!IsObject(value, path))
        {
            return state;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "path":
                    if (TryText(p.Value, p.Path, out string file))
                    {
                        state = state with { Path = file };
                    }

                    break;
                default:
                    UnknownKey(p, path, StateKeys);
                    break;
            }
        }

        return state;
    }

    private WazuhSettings BindWazuh(JsonElement value, string path)
    {
        var wazuh = WazuhSettings.Default;
        if (!IsObject(value, path))
        {
            return wazuh;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "ossec_conf":
                    if (BindTextList(p.Value, p.Path, "an array of file paths") is { } files)
                    {
                        if (files.Count == 0)
                        {
                            Error(p.Path, $"{p.Path} must name at least one file");
                        }
                        else
                        {
                            wazuh = wazuh with { OssecConf = files };
                        }
                    }

                    break;
                default:
                    UnknownKey(p, path, WazuhKeys);
                    break;
            }
        }

        return wazuh;
    }

    private ExecutionSettings BindExecution(JsonElement value, string path)
    {
        var execution = ExecutionSettings.Default;
        if (!IsObject(value, path))
        {
            return execution;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "max_parallel":
                    if (TryInt(p.Value, p.Path, ExecutionSettings.MinParallel, ExecutionSettings.MaxParallelLimit, out int parallel))
                    {
                        execution = execution with { MaxParallel = parallel };
                    }

                    break;
                case "control_line_timeout":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var controlLine))
                    {
                        execution = execution with { ControlLineTimeout = controlLine };
                    }

                    break;
                case "run_timeout":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var run))
                    {
                        execution = execution with { RunTimeout = run };
                    }

                    break;
                case "output_limit_bytes":
                    if (TryInt(p.Value, p.Path, 0, int.MaxValue, out int limit))
                    {
                        execution = execution with { OutputLimitBytes = limit };
                    }

                    break;
                case "revert_on_shutdown":
                    if (TryBool(p.Value, p.Path, out bool revert))
                    {
                        execution = execution with { RevertOnShutdown = revert };
                    }

                    break;
                default:
                    UnknownKey(p, path, ExecutionKeys);
                    break;
            }
        }

        if (execution.ControlLineTimeout > execution.RunTimeout)
        {
            string controlPath = JsonPositionIndex.Child(path, "control_line_timeout");
            Warning(
                _index.Contains(controlPath) ? controlPath : JsonPositionIndex.Child(path, "run_timeout"),
                $"{controlPath} ({DurationSyntax.Format(execution.ControlLineTimeout)}) is longer than {path}.run_timeout "
                + $"({DurationSyntax.Format(execution.RunTimeout)}), so the run timeout always ends the wait first");
        }

        return execution;
    }

    private RepeatedOffendersSettings BindRepeatedOffenders(JsonElement value, string path)
    {
        var offenders = RepeatedOffendersSettings.Default;
        if (!IsObject(value, path))
        {
            return offenders;
        }

        string? forgivePath = null;
        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "mode":
                    if (TryChoice(p.Value, p.Path, Modes, out int mode))
                    {
                        offenders = offenders with { Mode = (RepeatedOffenderMode)mode };
                    }

                    break;
                case "forgive_after":
                    forgivePath = p.Path;
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var forgive))
                    {
                        offenders = offenders with { ForgiveAfter = forgive };
                    }

                    break;
                default:
                    UnknownKey(p, path, RepeatedOffendersKeys);
                    break;
            }
        }

        if (forgivePath is not null && offenders.Mode == RepeatedOffenderMode.Wazuh)
        {
            WarningAtName(forgivePath, $"{forgivePath} has no effect unless {path}.mode is \"decay\"");
        }

        return offenders;
    }

    private ResponsePolicyOverride BindPolicy(JsonElement value, string path)
    {
        var policy = ResponsePolicyOverride.Empty;
        if (!IsObject(value, path))
        {
            return policy;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "allowlist":
                    if (BindAllowlist(p.Value, p.Path) is { } allowlist)
                    {
                        policy = policy with { Allowlist = allowlist };
                    }

                    break;
                case "dry_run":
                    if (TryBool(p.Value, p.Path, out bool dryRun))
                    {
                        policy = policy with { DryRun = dryRun };
                    }

                    break;
                case "max_new_per_minute":
                    if (TryInt(p.Value, p.Path, 0, int.MaxValue, out int rate, " (0 means unlimited)"))
                    {
                        policy = policy with { MaxNewPerMinute = rate };
                    }

                    break;
                case "escalation":
                    if (!p.IsNull && BindEscalation(p.Value, p.Path) is { } steps)
                    {
                        policy = policy with { Escalation = steps };
                    }

                    break;
                case "notify":
                    if (BindTextList(p.Value, p.Path, "an array of notification names") is { } names)
                    {
                        for (int i = 0; i < names.Count; i++)
                        {
                            _notifyReferences.Add((names[i], JsonPositionIndex.Item(p.Path, i)));
                        }

                        policy = policy with { Notify = names };
                    }

                    break;
                case "route":
                    if (!p.IsNull && BindRoute(p.Value, p.Path) is { } route)
                    {
                        policy = policy with { Route = route };
                    }

                    break;
                default:
                    UnknownKey(p, path, PolicyKeys);
                    break;
            }
        }

        return policy;
    }

    private FleetRoute? BindRoute(JsonElement value, string path)
    {
        if (!IsObject(value, path))
        {
            return null;
        }

        int errorsBefore = ErrorCount;
        var route = new FleetRoute();
        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "agents":
                    if (BindTextList(p.Value, p.Path, "an array of agent ids") is { } agents)
                    {
                        route = route with { Agents = UniqueValid(agents, p.Path, AgentIds.IsValid, "an agent id (3 to 8 digits, e.g. \"001\"; 000 is the manager, use \"manager\": true)") };
                    }

                    break;
                case "groups":
                    if (BindTextList(p.Value, p.Path, "an array of group names") is { } groups)
                    {
                        route = route with { Groups = UniqueValid(groups, p.Path, g => IsSafeName(g, allowDot: true), SafeNameRule("a group name", allowDot: true)) };
                    }

                    break;
                case "labels":
                    if (BindLabels(p.Value, p.Path) is { } labels)
                    {
                        route = route with { Labels = labels };
                    }

                    break;
                case "manager":
                    if (TryBool(p.Value, p.Path, out bool manager))
                    {
                        route = route with { Manager = manager };
                    }

                    break;
                case "all_agents":
                    if (TryBool(p.Value, p.Path, out bool all))
                    {
                        route = route with { AllAgents = all };
                    }

                    break;
                case "alert_agent":
                    if (TryBool(p.Value, p.Path, out bool alertAgent))
                    {
                        route = route with { AlertAgent = alertAgent };
                    }

                    break;
                default:
                    UnknownKey(p, path, RouteKeys);
                    break;
            }
        }

        if (ErrorCount > errorsBefore)
        {
            // A part that failed already says what is wrong; calling the rest "empty" would only add noise.
            return null;
        }

        if (route.Agents.Count == 0 && route.Groups.Count == 0 && route.Labels.Count == 0 && !route.Manager && !route.AllAgents && !route.AlertAgent)
        {
            // An empty route would silently send the response nowhere, which nobody means.
            Error(path, $"{path} names no destination; give agents, groups, labels, all_agents, manager or alert_agent, "
                + "or leave route out to keep the block's <location>");
            return null;
        }

        return route;
    }

    /// <summary>The valid items in order, each once; an invalid one is an error, a repeated one a warning.</summary>
    private List<string> UniqueValid(List<string> items, string path, Func<string, bool> isValid, string rule)
    {
        var kept = new List<string>();
        for (int i = 0; i < items.Count; i++)
        {
            string itemPath = JsonPositionIndex.Item(path, i);
            if (!isValid(items[i]))
            {
                Error(itemPath, $"{itemPath}: \"{items[i]}\" is not {rule}");
            }
            else if (kept.Contains(items[i], StringComparer.Ordinal))
            {
                Warning(itemPath, $"{itemPath}: \"{items[i]}\" is listed twice");
            }
            else
            {
                kept.Add(items[i]);
            }
        }

        return kept;
    }

    private System.Collections.ObjectModel.ReadOnlyDictionary<string, string>? BindLabels(JsonElement value, string path)
    {
        if (!IsObject(value, path))
        {
            return null;
        }

        string rule = SafeNameRule("a label", allowDot: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Properties(value, path))
        {
            if (!IsSafeName(p.Name, allowDot: true))
            {
                ErrorAtName(p.Path, $"{p.Path}: \"{p.Name}\" is not {rule}");
                continue;
            }

            if (TryText(p.Value, p.Path, out string text))
            {
                if (IsSafeName(text, allowDot: true))
                {
                    labels[p.Name] = text;
                }
                else
                {
                    Error(p.Path, $"{p.Path}: \"{text}\" is not {SafeNameRule("a label value", allowDot: true)}");
                }
            }
        }

        return labels.AsReadOnly();
    }

    /// <summary>Letters, digits, <c>_</c>, <c>-</c> (and <c>.</c> when allowed), at most <see cref="MaxNameLength"/>.</summary>
    private static bool IsSafeName(string text, bool allowDot) =>
        text.Length is > 0 and <= MaxNameLength
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDot && c == '.'));

    private static string SafeNameRule(string what, bool allowDot) =>
        $"{what} (1 to {MaxNameLength} ASCII letters, digits, {(allowDot ? "'.', " : "")}'_' and '-')";

    private int ErrorCount => _diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);

    private List<TimeSpan>? BindEscalation(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(value, path, "an array of durations");
            return null;
        }

        var steps = new List<TimeSpan>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (TryDuration(item, JsonPositionIndex.Item(path, i++), allowZero: false, out var step))
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private System.Collections.ObjectModel.ReadOnlyDictionary<string, ResponsePolicyOverride> BindResponses(JsonElement value, string path)
    {
        var responses = new Dictionary<string, ResponsePolicyOverride>(StringComparer.Ordinal);
        if (!IsObject(value, path))
        {
            return responses.AsReadOnly();
        }

        foreach (var p in Properties(value, path))
        {
            if (!LooksLikeResponseName(p.Name))
            {
                WarningAtName(p.Path, $"\"{p.Name}\" looks like neither an active-response name (e.g. firewall-drop600) nor a command name (e.g. firewall-drop)");
            }

            responses[p.Name] = BindPolicy(p.Value, p.Path);
        }

        return responses.AsReadOnly();
    }

    /// <summary>
    /// Command names are single words of letters, digits, '_', '-' and '.' (ar.conf is space-separated), and an
    /// active-response name is a command name followed by its timeout, so both share this shape.
    /// </summary>
    private static bool LooksLikeResponseName(string key) =>
        key.Length > 0
        && (char.IsAsciiLetterOrDigit(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private SafetySettings BindSafety(JsonElement value, string path)
    {
        var safety = SafetySettings.Default;
        if (!IsObject(value, path))
        {
            return safety;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "never_block_self":
                    if (TryBool(p.Value, p.Path, out bool neverBlockSelf))
                    {
                        safety = safety with { NeverBlockSelf = neverBlockSelf };
                    }

                    break;
                case "allowlist":
                    if (BindAllowlist(p.Value, p.Path) is { } allowlist)
                    {
                        safety = safety with { Allowlist = allowlist };
                    }

                    break;
                default:
                    UnknownKey(p, path, SafetyKeys);
                    break;
            }
        }

        return safety;
    }

    private List<IPNetwork>? BindAllowlist(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(value, path, "an array of IP addresses and CIDR networks");
            return null;
        }

        var networks = new List<IPNetwork>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            string itemPath = JsonPositionIndex.Item(path, i++);
            if (item.ValueKind != JsonValueKind.String)
            {
                TypeError(item, itemPath, "a string");
                continue;
            }

            if (NetworkSyntax.TryParseNetwork(item.GetString()!, out var network, out string? warning, out string? error))
            {
                networks.Add(network);
                if (warning is not null)
                {
                    Warning(itemPath, $"{itemPath}: {warning}");
                }
            }
            else
            {
                Error(itemPath, $"{itemPath}: {error}");
            }
        }

        return networks;
    }

    private List<NotificationTarget> BindNotifications(JsonElement value, string path)
    {
        var targets = new List<NotificationTarget>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(value, path, "an array of notification targets");
            return targets;
        }

        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (BindNotification(item, JsonPositionIndex.Item(path, i++)) is { } target)
            {
                targets.Add(target);
            }
        }

        return targets;
    }

    private NotificationTarget? BindNotification(JsonElement value, string path)
    {
        if (!IsObject(value, path))
        {
            return null;
        }

        string? name = null;
        Uri? url = null;
        var events = NotificationEvents.All;
        var minInterval = TimeSpan.Zero;
        IReadOnlyDictionary<string, string>? headers = null;
        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "name":
                    if (TryText(p.Value, p.Path, out string text))
                    {
                        if (_notificationNames.TryGetValue(text, out string? firstPath))
                        {
                            Error(p.Path, $"{p.Path}: the name \"{text}\" is already used by {firstPath}");
                        }
                        else
                        {
                            _notificationNames.Add(text, path);
                            name = text;
                        }
                    }

                    break;
                case "url":
                    if (TryText(p.Value, p.Path, out string urlText))
                    {
                        if (Uri.TryCreate(urlText, UriKind.Absolute, out var uri)
                            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                            && uri.Host.Length > 0)
                        {
                            url = uri;
                        }
                        else
                        {
                            Error(p.Path, $"{p.Path}: \"{urlText}\" is not an absolute http or https URL");
                        }
                    }

                    break;
                case "events":
                    if (BindEvents(p.Value, p.Path) is { } chosen)
                    {
                        events = chosen;
                    }

                    break;
                case "min_interval":
                    if (TryDuration(p.Value, p.Path, allowZero: true, out var interval))
                    {
                        minInterval = interval;
                    }

                    break;
                case "headers":
                    headers = BindHeaders(p.Value, p.Path);
                    break;
                default:
                    UnknownKey(p, path, NotificationKeys);
                    break;
            }
        }

        foreach (string required in (string[])["name", "url"])
        {
            if (!_index.Contains(JsonPositionIndex.Child(path, required)))
            {
                Error(path, $"{path} has no \"{required}\"");
            }
        }

        if (name is null || url is null)
        {
            return null;
        }

        return new NotificationTarget
        {
            Name = name,
            Url = url,
            Events = events,
            MinInterval = minInterval,
            Headers = headers ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty,
        };
    }

    private NotificationEvents? BindEvents(JsonElement value, string path)
    {
        string choices = string.Join(", ", EventNames);
        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(value, path, $"an array of event names ({choices})");
            return null;
        }

        if (value.GetArrayLength() == 0)
        {
            Error(path, $"{path} must list at least one of {choices}; leave it out to get all of them");
            return null;
        }

        var events = NotificationEvents.None;
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            string itemPath = JsonPositionIndex.Item(path, i++);
            if (!TryChoice(item, itemPath, EventNames, out int index))
            {
                continue;
            }

            if (events.HasFlag(EventFlags[index]))
            {
                Warning(itemPath, $"{itemPath}: \"{EventNames[index]}\" is listed twice");
            }

            events |= EventFlags[index];
        }

        return events == NotificationEvents.None ? null : events;
    }

    private System.Collections.ObjectModel.ReadOnlyDictionary<string, string>? BindHeaders(JsonElement value, string path)
    {
        if (!IsObject(value, path))
        {
            return null;
        }

        // HTTP header names ignore case, so Authorization and authorization would both be sent
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in Properties(value, path))
        {
            if (!p.Name.All(c => char.IsAsciiLetterOrDigit(c) || HeaderNameSymbols.Contains(c, StringComparison.Ordinal)) || p.Name.Length == 0)
            {
                ErrorAtName(p.Path, $"{p.Path}: \"{p.Name}\" is not a valid HTTP header name");
                continue;
            }

            if (p.Value.ValueKind != JsonValueKind.String)
            {
                TypeError(p.Value, p.Path, "a string");
                continue;
            }

            string text = p.Value.GetString()!;
            if (text.Any(c => c is '\r' or '\n' or '\0'))
            {
                Error(p.Path, $"{p.Path}: header values cannot contain line breaks or NUL");
                continue;
            }

            if (!headers.TryAdd(p.Name, text))
            {
                ErrorAtName(p.Path, $"{p.Path}: header \"{p.Name}\" is given twice (header names ignore case)");
            }
        }

        return headers.AsReadOnly();
    }

    private FleetSettings BindFleet(JsonElement value, string path)
    {
        var fleet = FleetSettings.Default;
        if (!IsObject(value, path))
        {
            return fleet;
        }

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Properties(value, path))
        {
            if (!p.IsNull)
            {
                given[p.Name] = p.Path;
            }

            switch (p.Name)
            {
                case "role":
                    if (TryChoice(p.Value, p.Path, Roles, out int role))
                    {
                        fleet = fleet with { Role = (FleetRole)role };
                    }

                    break;
                case "nats_url":
                    if (TryOptionalText(p.Value, p.Path, out string? natsText) && natsText is not null)
                    {
                        if (Uri.TryCreate(natsText, UriKind.Absolute, out var uri)
                            && NatsSchemes.Contains(uri.Scheme, StringComparer.Ordinal)
                            && uri.Host.Length > 0)
                        {
                            fleet = fleet with { NatsUrl = uri };
                        }
                        else
                        {
                            Error(p.Path, $"{p.Path}: \"{natsText}\" is not a NATS URL (e.g. nats://127.0.0.1:4222; tls, ws and wss also work)");
                        }
                    }

                    break;
                case "agent_id":
                    if (TryOptionalText(p.Value, p.Path, out string? agentId) && agentId is not null)
                    {
                        if (AgentIds.IsValid(agentId))
                        {
                            fleet = fleet with { AgentId = agentId };
                        }
                        else
                        {
                            Error(p.Path, $"{p.Path}: \"{agentId}\" is not a Wazuh agent id (3 to 8 digits, e.g. \"001\"; 000 is the manager)");
                        }
                    }

                    break;
                case "credentials_file":
                    if (TryOptionalText(p.Value, p.Path, out string? credentials))
                    {
                        fleet = fleet with { CredentialsFile = credentials };
                    }

                    break;
                case "command_ttl":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var ttl))
                    {
                        fleet = fleet with { CommandTtl = ttl };
                    }

                    break;
                case "node_name":
                    if (TryOptionalText(p.Value, p.Path, out string? node) && node is not null)
                    {
                        // The node name becomes the durable consumer manager-<node>, and NATS forbids '.' there.
                        if (IsSafeName(node, allowDot: false))
                        {
                            fleet = fleet with { NodeName = node };
                        }
                        else
                        {
                            Error(p.Path, $"{p.Path}: \"{node}\" is not {SafeNameRule("a node name", allowDot: false)}; "
                                + "it names this manager's NATS consumer, where '.' is not allowed");
                        }
                    }

                    break;
                case "heartbeat":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var heartbeat))
                    {
                        fleet = fleet with { Heartbeat = heartbeat };
                    }

                    break;
                case "ack_wait":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var ackWait))
                    {
                        fleet = fleet with { AckWait = ackWait };
                    }

                    break;
                case "outcome_retention":
                    if (TryDuration(p.Value, p.Path, allowZero: false, out var retention))
                    {
                        fleet = fleet with { OutcomeRetention = retention };
                    }

                    break;
                case "replicas":
                    if (TryInt(p.Value, p.Path, 1, MaxReplicas, out int replicas))
                    {
                        fleet = fleet with { Replicas = replicas };
                    }

                    break;
                case "remoted_queue":
                    if (TryOptionalText(p.Value, p.Path, out string? remoted))
                    {
                        fleet = fleet with { RemotedQueue = remoted };
                    }

                    break;
                case "tls_ca_file":
                    if (TryOptionalText(p.Value, p.Path, out string? ca))
                    {
                        fleet = fleet with { TlsCaFile = ca };
                    }

                    break;
                case "tls_cert_file":
                    if (TryOptionalText(p.Value, p.Path, out string? cert))
                    {
                        fleet = fleet with { TlsCertFile = cert };
                    }

                    break;
                case "tls_key_file":
                    if (TryOptionalText(p.Value, p.Path, out string? key))
                    {
                        fleet = fleet with { TlsKeyFile = key };
                    }

                    break;
                default:
                    UnknownKey(p, path, FleetKeys);
                    break;
            }
        }

        // A client certificate without its key (or the reverse) cannot be presented; say so before anything connects.
        if (given.TryGetValue("tls_cert_file", out string? certPath) != given.ContainsKey("tls_key_file"))
        {
            string setPath = certPath ?? given["tls_key_file"];
            string missing = certPath is null ? "tls_cert_file" : "tls_key_file";
            Error(setPath, $"{setPath} is set but {path}.{missing} is not; a client certificate needs both");
        }

        string rolePath = JsonPositionIndex.Child(path, "role");
        string roleText = Roles[(int)fleet.Role];
        if (fleet.Role == FleetRole.Standalone)
        {
            // Only a role written as standalone makes the other keys dead: without one, `serve --nats` and `riposte agent`
            // choose the role on the command line and these keys are theirs.
            foreach (string key in given.ContainsKey("role") ? FleetKeys.Where(k => k != "role") : [])
            {
                if (given.TryGetValue(key, out string? keyPath))
                {
                    WarningAtName(keyPath, $"{keyPath} has no effect while {rolePath} is \"standalone\"");
                }
            }

            return fleet;
        }

        if (!given.ContainsKey("nats_url"))
        {
            Error(rolePath, $"{rolePath} \"{roleText}\" needs {path}.nats_url");
        }
        else if (fleet.NatsUrl is { IsLoopback: false } nats && !given.ContainsKey("credentials_file"))
        {
            Error(given["nats_url"], $"{path}.nats_url points at {nats.Host}, not this host, so {path}.credentials_file is required");
        }

        if (fleet.Role == FleetRole.Agent && !given.ContainsKey("agent_id"))
        {
            Error(rolePath, $"{rolePath} \"agent\" needs {path}.agent_id");
        }
        else if (fleet.Role == FleetRole.Manager && given.TryGetValue("agent_id", out string? agentPath))
        {
            WarningAtName(agentPath, $"{agentPath} has no effect while {rolePath} is \"manager\"");
        }

        if (fleet.Role == FleetRole.Agent)
        {
            // Agents bind to what the manager created and never talk to remoted; these only shape the manager's side.
            foreach (string key in ManagerOnlyFleetKeys)
            {
                if (given.TryGetValue(key, out string? keyPath))
                {
                    WarningAtName(keyPath, $"{keyPath} has no effect while {rolePath} is \"agent\"");
                }
            }
        }

        return fleet;
    }

    private ApiSettings BindApi(JsonElement value, string path)
    {
        var api = ApiSettings.Default;
        if (!IsObject(value, path))
        {
            return api;
        }

        string? listenPath = null;
        string? tokenPath = null;
        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "listen":
                    listenPath = p.IsNull ? null : p.Path;
                    if (TryListen(p.Value, p.Path, out var listen))
                    {
                        api = api with { Listen = listen };
                    }

                    break;
                case "token_file":
                    tokenPath = p.IsNull ? null : p.Path;
                    if (TryOptionalText(p.Value, p.Path, out string? token))
                    {
                        api = api with { TokenFile = token };
                    }

                    break;
                default:
                    UnknownKey(p, path, ApiKeys);
                    break;
            }
        }

        if (listenPath is not null && tokenPath is null)
        {
            Error(listenPath, $"{listenPath} is set but {path}.token_file is not; every network surface needs authentication");
        }
        else if (tokenPath is not null && listenPath is null)
        {
            WarningAtName(tokenPath, $"{tokenPath} has no effect without {path}.listen");
        }

        return api;
    }

    private MetricsSettings BindMetrics(JsonElement value, string path)
    {
        var metrics = MetricsSettings.Default;
        if (!IsObject(value, path))
        {
            return metrics;
        }

        foreach (var p in Properties(value, path))
        {
            switch (p.Name)
            {
                case "listen":
                    if (TryListen(p.Value, p.Path, out var listen))
                    {
                        metrics = metrics with { Listen = listen };
                    }

                    break;
                default:
                    UnknownKey(p, path, MetricsKeys);
                    break;
            }
        }

        return metrics;
    }

    private void CheckListenersApart(RiposteSettings settings)
    {
        if (settings.Api.Listen is { } api && settings.Metrics.Listen is { } metrics && api.Port == metrics.Port
            && (string.Equals(api.Host, metrics.Host, StringComparison.OrdinalIgnoreCase) || api.IsWildcard || metrics.IsWildcard))
        {
            Error("metrics.listen", $"metrics.listen {metrics} collides with api.listen {api}; the two servers need different ports");
        }
    }

    private bool TryListen(JsonElement value, string path, out ListenEndpoint? endpoint)
    {
        endpoint = null;
        if (!TryOptionalText(value, path, out string? text))
        {
            return false;
        }

        if (text is null)
        {
            return true;
        }

        if (!ListenEndpoint.TryParse(text, out endpoint, out string? error))
        {
            Error(path, $"{path}: {error}");
            return false;
        }

        return true;
    }

    private static IEnumerable<Property> Properties(JsonElement value, string path)
    {
        // a repeated key is reported by the position pass; only its first occurrence is bound, matching the index
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (seen.Add(property.Name))
            {
                yield return new Property(property.Name, property.Value, JsonPositionIndex.Child(path, property.Name));
            }
        }
    }

    private void UnknownKey(Property p, string section, IReadOnlyList<string> known)
    {
        string where = section.Length == 0 ? "at the top level" : $"in {section}";
        string? guess = KeySuggestion.Closest(p.Name, known);
        string hint = guess is null ? $"expected one of {string.Join(", ", known)}" : $"did you mean \"{guess}\"?";
        ErrorAtName(p.Path, $"unknown key \"{p.Name}\" {where}; {hint}");
    }

    private bool IsObject(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        TypeError(value, path, "an object");
        return false;
    }

    private bool TryText(JsonElement value, string path, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            TypeError(value, path, "a string");
            return false;
        }

        text = value.GetString()!;
        if (text.Length == 0)
        {
            Error(path, $"{path} must not be empty");
            return false;
        }

        return true;
    }

    private bool TryOptionalText(JsonElement value, string path, out string? text)
    {
        text = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        bool ok = TryText(value, path, out string given);
        text = ok ? given : null;
        return ok;
    }

    private List<string>? BindTextList(JsonElement value, string path, string expected)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(value, path, expected);
            return null;
        }

        var items = new List<string>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (TryText(item, JsonPositionIndex.Item(path, i++), out string text))
            {
                items.Add(text);
            }
        }

        return items;
    }

    private bool TryBool(JsonElement value, string path, out bool result)
    {
        result = value.ValueKind == JsonValueKind.True;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return true;
        }

        TypeError(value, path, "true or false");
        return false;
    }

    private bool TryInt(JsonElement value, string path, int min, int max, out int result, string hint = "")
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number)
        {
            TypeError(value, path, "a whole number");
            return false;
        }

        string raw = value.GetRawText();
        if (!value.TryGetInt64(out long number))
        {
            // An integer written with too many digits is out of range, not fractional: say which bound it breaks.
            if (IsIntegerLiteral(raw))
            {
                Error(path, $"{path} {RangeMessage(min, max, below: raw[0] == '-')}{hint}, not {raw}");
            }
            else
            {
                Error(path, $"{path} must be a whole number, not {raw}");
            }

            return false;
        }

        if (number < min || number > max)
        {
            Error(path, $"{path} {RangeMessage(min, max, below: number < min)}{hint}, not {number}");
            return false;
        }

        result = (int)number;
        return true;
    }

    /// <summary>The bound a number breaks: a one-sided range names only the side that was crossed.</summary>
    private static string RangeMessage(int min, int max, bool below) => (min, max, below) switch
    {
        (_, int.MaxValue, false) => $"must be at most {max}",
        (0, int.MaxValue, true) => "must not be negative",
        (_, int.MaxValue, true) => $"must be at least {min}",
        _ => $"must be between {min} and {max}",
    };

    /// <summary>True for JSON number text without a fraction or exponent, e.g. <c>-123</c>.</summary>
    private static bool IsIntegerLiteral(string raw) =>
        raw.AsSpan(raw.StartsWith('-') ? 1 : 0) is { IsEmpty: false } digits && !digits.ContainsAnyExceptInRange('0', '9');

    private bool TryDuration(JsonElement value, string path, bool allowZero, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        bool parsed;
        string? error;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out long seconds):
                parsed = DurationSyntax.TryFromSeconds(seconds, out duration, out error);
                break;
            case JsonValueKind.Number when IsIntegerLiteral(value.GetRawText()):
                // Too many digits for a long: TryFromSeconds' own messages for the sign it has.
                parsed = false;
                error = value.GetRawText().StartsWith('-')
                    ? $"{value.GetRawText()} is negative; durations must be zero or more"
                    : $"{value.GetRawText()} seconds is too long a duration";
                break;
            case JsonValueKind.Number:
                parsed = false;
                error = $"{value.GetRawText()} is not a whole number of seconds; for fractions write e.g. \"1500ms\"";
                break;
            case JsonValueKind.String:
                parsed = DurationSyntax.TryParse(value.GetString()!, out duration, out error);
                break;
            default:
                TypeError(value, path, "a duration (seconds, or a string like \"10m\")");
                return false;
        }

        if (!parsed)
        {
            Error(path, $"{path}: {error}");
            return false;
        }

        if (!allowZero && duration == TimeSpan.Zero)
        {
            Error(path, $"{path} must be longer than zero");
            return false;
        }

        return true;
    }

    private bool TryChoice(JsonElement value, string path, string[] choices, out int index)
    {
        index = -1;
        string quoted = string.Join(", ", choices.Select(c => $"\"{c}\""));
        if (value.ValueKind != JsonValueKind.String)
        {
            TypeError(value, path, $"one of {quoted}");
            return false;
        }

        string text = value.GetString()!;
        index = Array.IndexOf(choices, text);
        if (index >= 0)
        {
            return true;
        }

        string? guess = KeySuggestion.Closest(text, choices);
        Error(path, $"{path} must be one of {quoted}, not \"{text}\"" + (guess is null ? "" : $"; did you mean \"{guess}\"?"));
        return false;
    }

    private void TypeError(JsonElement value, string path, string expected)
    {
        string actual = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        string subject = path.Length == 0 ? "the top level" : path;
        Error(path, $"{subject} must be {expected}, not {actual}");
    }

    private void Error(string path, string message) =>
        Add(DiagnosticSeverity.Error, _index.ValueOffset(path), message);

    private void ErrorAtName(string path, string message) =>
        Add(DiagnosticSeverity.Error, _index.NameOffset(path), message);

    private void Warning(string path, string message) =>
        Add(DiagnosticSeverity.Warning, _index.ValueOffset(path), message);

    private void WarningAtName(string path, string message) =>
        Add(DiagnosticSeverity.Warning, _index.NameOffset(path), message);

    private void Add(DiagnosticSeverity severity, long offset, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(severity, _map.At(offset), null, message));
}
