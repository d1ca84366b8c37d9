using System.Collections.ObjectModel;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>The schema of a <c>notifications</c> entry: a webhook, Slack, Teams, email or syslog target.</summary>
internal static class NotificationSchema
{
    private const string HeaderNameSymbols = "!#$%&'*+-.^_`|~";

    private static readonly (string Name, NotificationEvents Value)[] EventChoices =
    [
        ("add", NotificationEvents.Add), ("delete", NotificationEvents.Delete), ("abort", NotificationEvents.Abort),
        ("failure", NotificationEvents.Failure), ("timeout", NotificationEvents.Timeout), ("kill", NotificationEvents.Timeout),
        ("continue", NotificationEvents.Continue), ("revoke", NotificationEvents.Revoke), ("trigger", NotificationEvents.Trigger),
        ("refused", NotificationEvents.Refused), ("rate-limited", NotificationEvents.RateLimited), ("skip", NotificationEvents.Skip),
        ("dry-run", NotificationEvents.DryRun), ("lapsed", NotificationEvents.Lapsed), ("expired", NotificationEvents.Expired),
        ("undeliverable", NotificationEvents.Undeliverable), ("sent", NotificationEvents.Sent),
        ("late", NotificationEvents.Late), ("reconcile", NotificationEvents.Reconcile),
    ];

    private static readonly SettingType<NotificationType> TypeName = SettingTypes.Choice(
        ("webhook", NotificationType.Webhook), ("slack", NotificationType.Slack), ("teams", NotificationType.Teams),
        ("email", NotificationType.Email), ("syslog", NotificationType.Syslog));

    private static readonly SettingType<TeamsFormat> FormatName = SettingTypes.Choice(
        ("adaptive-card", TeamsFormat.AdaptiveCard), ("message-card", TeamsFormat.MessageCard));

    private static readonly SettingType<int> Severity = SettingTypes.Choice(("info", 0), ("warning", 1), ("error", 2));

    private static readonly SettingType<string> SyslogAddress = SettingTypes.Text.Then((context, path, text) =>
        text.StartsWith('/')
        || ((text.StartsWith("udp://", StringComparison.Ordinal) || text.StartsWith("tcp://", StringComparison.Ordinal))
            && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0 && uri.Port > 0)
            ? Bound.Of(text)
            : context.Refuse<string>(path, $"{path}: \"{text}\" is not a unix socket path (/dev/log), udp://host:port or tcp://host:port"));

    private static readonly SettingSection<EmailDraft> EmailSection =
        new SettingSection<EmailDraft>(new EmailDraft(), "SMTP settings of an email target.")
            .Key("host", SettingTypes.Text, (d, v) => d with { Host = v }, "The SMTP server.", required: true)
            .Key("port", SettingTypes.Int(1, 65535), (d, v) => d with { Port = v }, "Its port; 587 when left out.")
            .Key("starttls", SettingTypes.Bool, (d, v) => d with { StartTls = v }, "Require STARTTLS; true when left out.")
            .Key("ca_file", SettingTypes.Text, (d, v) => d with { CaFile = v },
                "PEM certificates of the CA(s) the server's certificate must chain to (a private CA), instead of the system's trust store.")
            .Key("user", SettingTypes.Text, (d, v) => d with { User = v }, "The user to authenticate as; no authentication when left out.")
            .Key("password_file", SettingTypes.Text, (d, v) => d with { PasswordFile = v }, "A file whose first line is the password.")
            .Key("from", SettingTypes.Text, (d, v) => d with { From = v }, "The sender address.", required: true)
            .Key("to", SettingTypes.TextList("an array of email addresses").Where(l => l.Count > 0, (path, _) => $"{path} must list at least one address"), (d, v) => d with { To = v }, "The recipients.", required: true);

    private static readonly SettingSection<SyslogDraft> SyslogSection =
        new SettingSection<SyslogDraft>(new SyslogDraft(), "Where a syslog target sends.")
            .Key("address", SyslogAddress, (d, v) => d with { Address = v }, "/dev/log, udp://host:port or tcp://host:port.", required: true)
            .Key("facility", SettingTypes.Int(0, 23), (d, v) => d with { Facility = v }, "The syslog facility number; 1 (user) when left out.");

    private static readonly SettingSection<NotificationGrouping> GroupingSection =
        new SettingSection<NotificationGrouping>(new NotificationGrouping(), "How events are gathered into digests.")
            .Key("group_wait", SettingTypes.Duration(allowZero: true), (d, v) => d with { GroupWait = v },
                "How long a new group's first event waits for others; 0 sends each event on its own.")
            .Key("group_interval", SettingTypes.Duration(allowZero: false), (d, v) => d with { GroupInterval = v },
                "The least time between two digests of one group.")
            .Key("repeat_interval", SettingTypes.Duration(allowZero: false), (d, v) => d with { RepeatInterval = v },
                "A group quiet for this long is closed; its next event waits group_wait again.");

    private static readonly SettingSection<RateDraft> RateSection =
        new SettingSection<RateDraft>(new RateDraft(), "A cap on messages per interval.")
            .Key("max", SettingTypes.Int(0, int.MaxValue, " (0 for no cap)"), (d, v) => d with { Max = v }, "At most this many messages per interval.")
            .Key("interval", SettingTypes.Duration(allowZero: false), (d, v) => d with { Interval = v }, "The window; 1m when left out.");

    private static readonly SettingSection<NotificationRetry> RetrySection =
        new SettingSection<NotificationRetry>(new NotificationRetry(), "Retries of a failed send, with exponential back-off.")
            .Key("max_attempts", SettingTypes.Int(1, 100), (d, v) => d with { MaxAttempts = v }, "Attempts in all, the first included.")
            .Key("base_delay", SettingTypes.Duration(allowZero: false), (d, v) => d with { BaseDelay = v }, "The wait after the first failure; doubled each time.")
            .Key("max_delay", SettingTypes.Duration(allowZero: false), (d, v) => d with { MaxDelay = v }, "The longest wait between attempts.");

    private static readonly SettingType<NotificationEvents> EventName = SettingTypes.Choice(EventChoices);

    private static readonly SettingType<Uri> WebUrl = SettingTypes.Text.Then((context, path, text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0
            ? Bound.Of(uri)
            : context.Refuse<Uri>(path, $"{path}: \"{text}\" is not an absolute http or https URL"));

    /// <summary>One entry, as read before it is known to be complete.</summary>
    public static SettingSection<Draft> Section { get; } =
        new SettingSection<Draft>(new Draft(), "A target told about responses: webhook, slack, teams, email or syslog.")
            .Key("name", SettingTypes.Text, (d, v) => d with { Name = v }, "The name notify lists refer to; unique within the file.", required: true)
            .Key("url", WebUrl, (d, v) => d with { Url = v }, "An absolute http or https URL (webhook, slack, teams).")
            .Key("type", TypeName, (d, v) => d with { Type = v, TypeBound = true }, "webhook (the default), slack, teams, email or syslog.")
            .Key("format", FormatName, (d, v) => d with { Format = v },
                "For type teams: adaptive-card (the default, for a Workflows webhook) or message-card (a legacy connector).")
            .Key("email", SettingTypes.Object(EmailSection), (d, v) => d with { Email = v }, "SMTP settings, for type email.")
            .Key("syslog", SettingTypes.Object(SyslogSection), (d, v) => d with { Syslog = v }, "Where to send, for type syslog.")
            .Key("events", new SettingType<NotificationEvents>("an array of event names", ReadEvents),
                (d, v) => d with { Events = v }, "The events sent; all of them when left out.")
            .Key("responses", SettingTypes.TextList("an array of response names"), (d, v) => d with { Responses = v }, "Only events of these responses.")
            .Key("rules", SettingTypes.TextList("an array of rule ids"), (d, v) => d with { Rules = v }, "Only events of alerts of these rules.")
            .Key("agents", SettingTypes.TextList("an array of agent ids"), (d, v) => d with { Agents = v }, "Only events on these agents (local: this host).")
            .Key("min_severity", Severity, (d, v) => d with { MinSeverity = v }, "The least severity sent: info, warning or error.")
            .Key("grouping", SettingTypes.Object(GroupingSection), (d, v) => d with { Grouping = v }, "How events are gathered into digests.")
            .Key("rate_limit", SettingTypes.Object(RateSection), (d, v) => d with { Rate = v }, "At most max messages per interval.")
            .Key("retry", SettingTypes.Object(RetrySection), (d, v) => d with { Retry = v }, "Retries with exponential back-off.")
            .Key("max_pending", SettingTypes.Int(1, 1_000_000), (d, v) => d with { MaxPending = v },
                "The most events kept for a receiver that is down; older ones collapse into a digest.")
            .Key("min_interval", SettingTypes.Duration(allowZero: true), (d, v) => d with { MinInterval = v }, "The least time between two messages; 0 for no throttling.")
            .Key("headers", new SettingType<ReadOnlyDictionary<string, string>>("an object of HTTP headers", ReadHeaders),
                (d, v) => d with { Headers = v }, "Extra HTTP headers, e.g. Authorization.")
            .Rule(ClaimTheName);

    /// <summary>The <c>notifications</c> section: the complete entries, in file order.</summary>
    public static SettingType<List<NotificationTarget>> Notifications { get; } =
        SettingTypes.ListOf(SettingTypes.Object(Section), "an array of notification targets").Then((_, _, drafts) =>
            Bound.Of(drafts.Where(d => d.Name is not null && d.Complete).Select(d => d.ToTarget()).ToList()));

    /// <summary>Checks the <c>notify</c> names given anywhere in the file, once every notification is known.</summary>
    public static void CheckNotifyReferences(SettingsContext context)
    {
        foreach (var (name, path) in context.NotifyReferences)
        {
            if (!context.NotificationNames.ContainsKey(name))
            {
                string known = context.NotificationNames.Count == 0
                    ? "there are no notifications"
                    : "known: " + string.Join(", ", context.NotificationNames.Keys);
                string? guess = KeySuggestion.Closest(name, [.. context.NotificationNames.Keys]);
                context.Error(path, $"{path}: no notification is named \"{name}\"" + (guess is null ? $" ({known})" : $"; did you mean \"{guess}\"?"));
            }
        }
    }

    /// <summary>The first entry with a name owns it, even when the entry is incomplete; a later one is an error.</summary>
    private static Draft ClaimTheName(SettingsContext context, SectionReading<Draft> reading)
    {
        // What a type needs is checked here, not by required keys, since only webhooks, Slack and Teams have a url.
        var d = reading.Value;
        string need = d.Type switch { NotificationType.Email => "email", NotificationType.Syslog => "syslog", _ => "url" };
        if (!reading.Given.ContainsKey(need))
        {
            context.Error(reading.Path, $"{reading.Path} has no \"{need}\"");
        }

        // Unlike the keys below, format is an error elsewhere: a card format on a webhook or Slack target means the
        // type was forgotten, and a Teams target read as a generic webhook would post JSON that Teams refuses. A type
        // already reported as wrong is not blamed twice.
        bool typeWrong = reading.IsSet("type") && !d.TypeBound;
        if (d.Type != NotificationType.Teams && !typeWrong && reading.IsSet("format", out string? formatPath))
        {
            context.Error(formatPath, $"{formatPath} is only for type \"teams\", not \"{d.Type.ToString().ToLowerInvariant()}\"");
        }

        // A key of another type is left unused: say so, since it usually means the type was forgotten.
        string type = d.Type.ToString().ToLowerInvariant();
        foreach (var (key, usedBy) in new[] { ("url", "webhook, slack and teams"), ("headers", "webhook, slack and teams"), ("email", "email"), ("syslog", "syslog") })
        {
            bool applies = key is "url" or "headers" ? d.Type is NotificationType.Webhook or NotificationType.Slack or NotificationType.Teams : key == type;
            if (!applies && reading.IsSet(key, out string? keyPath))
            {
                context.Warning(keyPath, $"{keyPath} is not used when the type is \"{type}\" (only by {usedBy})");
            }
        }

        d = d with
        {
            Complete = d.Type switch { NotificationType.Email => d.Email is { Host: not null, From: not null, To.Count: > 0 }, NotificationType.Syslog => d.Syslog is { Address: not null }, _ => d.Url is not null },
        };
        reading = reading with { Value = d };
        if (reading.Value.Name is not { } name)
        {
            return reading.Value;
        }

        if (context.NotificationNames.TryGetValue(name, out string? firstPath))
        {
            string namePath = reading.PathOf("name");
            context.Error(namePath, $"{namePath}: the name \"{name}\" is already used by {firstPath}");
            return reading.Value with { Name = null };
        }

        context.NotificationNames.Add(name, reading.Path);
        return reading.Value;
    }

    private static Bound<NotificationEvents> ReadEvents(SettingsContext context, JsonElement value, string path)
    {
        string choices = string.Join(", ", EventChoices.Select(c => c.Name));
        if (value.ValueKind != JsonValueKind.Array)
        {
            context.TypeError(value, path, $"an array of event names ({choices})");
            return default;
        }

        if (value.GetArrayLength() == 0)
        {
            return context.Refuse<NotificationEvents>(path, $"{path} must list at least one of {choices}; leave it out to get all of them");
        }

        var events = NotificationEvents.None;
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            string itemPath = JsonPositionIndex.Item(path, i++);
            if (EventName.Read(context, item, itemPath) is not { Ok: true, Value: var chosen })
            {
                continue;
            }

            if (events.HasFlag(chosen))
            {
                context.Warning(itemPath, $"{itemPath}: \"{item.GetString()}\" is listed twice");
            }

            events |= chosen;
        }

        return events == NotificationEvents.None ? default : Bound.Of(events);
    }

    private static Bound<ReadOnlyDictionary<string, string>> ReadHeaders(SettingsContext context, JsonElement value, string path)
    {
        if (!context.IsObject(value, path))
        {
            return default;
        }

        // HTTP header names ignore case, so Authorization and authorization would both be sent
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in SettingsContext.Properties(value, path))
        {
            if (!p.Name.All(c => char.IsAsciiLetterOrDigit(c) || HeaderNameSymbols.Contains(c, StringComparison.Ordinal)) || p.Name.Length == 0)
            {
                context.ErrorAtName(p.Path, $"{p.Path}: \"{p.Name}\" is not a valid HTTP header name");
                continue;
            }

            if (p.Value.ValueKind != JsonValueKind.String)
            {
                context.TypeError(p.Value, p.Path, "a string");
                continue;
            }

            string text = p.Value.GetString()!;
            if (text.Any(c => c is '\r' or '\n' or '\0'))
            {
                context.Error(p.Path, $"{p.Path}: header values cannot contain line breaks or NUL");
                continue;
            }

            if (!headers.TryAdd(p.Name, text))
            {
                context.ErrorAtName(p.Path, $"{p.Path}: header \"{p.Name}\" is given twice (header names ignore case)");
            }
        }

        return Bound.Of(headers.AsReadOnly());
    }

    /// <summary>A notification as its keys leave it; only one with a name and a URL becomes a target.</summary>
    internal sealed record Draft
    {
        public string? Name { get; init; }

        public Uri? Url { get; init; }

        public NotificationType Type { get; init; }

        /// <summary>True once a given <c>type</c> was read; false for one left out or refused.</summary>
        public bool TypeBound { get; init; }

        public EmailDraft? Email { get; init; }

        public TeamsFormat Format { get; init; }

        public SyslogDraft? Syslog { get; init; }

        public List<string> Responses { get; init; } = [];

        public List<string> Rules { get; init; } = [];

        public List<string> Agents { get; init; } = [];

        public int MinSeverity { get; init; }

        public NotificationGrouping Grouping { get; init; } = new();

        public RateDraft Rate { get; init; } = new();

        public NotificationRetry Retry { get; init; } = new();

        public int MaxPending { get; init; } = 1000;

        /// <summary>True once the rule found what <see cref="Type"/> needs.</summary>
        public bool Complete { get; init; }

        public NotificationEvents Events { get; init; } = NotificationEvents.All;

        public TimeSpan MinInterval { get; init; }

        public IReadOnlyDictionary<string, string>? Headers { get; init; }

        public NotificationTarget ToTarget() => new()
        {
            Name = Name!,
            Type = Type,
            Url = Type is NotificationType.Webhook or NotificationType.Slack or NotificationType.Teams ? Url : null,
            Format = Format,
            Email = Type == NotificationType.Email ? Email!.ToSettings() : null,
            Syslog = Type == NotificationType.Syslog ? new SyslogSettings { Address = Syslog!.Address!, Facility = Syslog.Facility } : null,
            Events = Events,
            Responses = Responses,
            Rules = Rules,
            Agents = Agents,
            MinSeverity = MinSeverity,
            Grouping = Grouping,
            RateLimit = Rate.Max,
            RateInterval = Rate.Interval,
            Retry = Retry,
            MaxPending = MaxPending,
            MinInterval = MinInterval,
            Headers = Headers ?? ReadOnlyDictionary<string, string>.Empty,
        };
    }

    /// <summary>An <c>email</c> object as its keys leave it.</summary>
    internal sealed record EmailDraft
    {
        public string? Host { get; init; }

        public int Port { get; init; } = 587;

        public bool StartTls { get; init; } = true;

        public string? User { get; init; }

        public string? PasswordFile { get; init; }

        public string? CaFile { get; init; }

        public string? From { get; init; }

        public List<string>? To { get; init; }

        public EmailSettings ToSettings() => new()
        {
            Host = Host ?? "",
            Port = Port,
            StartTls = StartTls,
            User = User,
            PasswordFile = PasswordFile,
            CaFile = CaFile,
            From = From ?? "",
            To = To ?? [],
        };
    }

    /// <summary>A <c>syslog</c> object as its keys leave it.</summary>
    internal sealed record SyslogDraft
    {
        public string? Address { get; init; }

        public int Facility { get; init; } = 1;
    }

    /// <summary>A <c>rate_limit</c> object.</summary>
    internal sealed record RateDraft
    {
        public int Max { get; init; }

        public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);
    }
}
