namespace Riposte.Config.Settings;

/// <summary>Which events a notification target hears about: one flag per <c>ResponseEventKinds</c> name.</summary>
[Flags]
public enum NotificationEvents
{
    /// <summary>No events.</summary>
    None = 0,

    /// <summary><c>add</c>: a response was applied.</summary>
    Add = 1,

    /// <summary><c>delete</c>: a response was reverted.</summary>
    Delete = 2,

    /// <summary><c>abort</c>: the key was already active; the timer was refreshed.</summary>
    Abort = 4,

    /// <summary><c>failure</c>: the program failed.</summary>
    Failure = 8,

    /// <summary><c>kill</c> (older name <c>timeout</c>): the program was killed for running too long.</summary>
    Timeout = 16,

    /// <summary><c>continue</c>: a stateful add was decided.</summary>
    Continue = 32,

    /// <summary><c>revoke</c>: an operator removed a block.</summary>
    Revoke = 64,

    /// <summary><c>trigger</c>: an operator triggered a response by hand.</summary>
    Trigger = 128,

    /// <summary><c>refused</c>: a safety rail refused the response.</summary>
    Refused = 256,

    /// <summary><c>rate-limited</c>: the response was over its cap of new blocks per minute.</summary>
    RateLimited = 512,

    /// <summary><c>skip</c>: decided against for another reason.</summary>
    Skip = 1024,

    /// <summary><c>dry-run</c>: the program would have run.</summary>
    DryRun = 2048,

    /// <summary><c>lapsed</c>: recorded before a crash and out of time by the restart.</summary>
    Lapsed = 4096,

    /// <summary><c>expired</c>: a fleet command past its time to live.</summary>
    Expired = 8192,

    /// <summary><c>undeliverable</c>: a fleet command for an agent the manager cannot reach.</summary>
    Undeliverable = 16384,

    /// <summary><c>sent</c>: a fleet command handed to wazuh-remoted.</summary>
    Sent = 32768,

    /// <summary><c>late</c>: a fleet agent answered a command after the manager had recorded it expired.</summary>
    Late = 65536,

    /// <summary><c>reconcile</c>: the firewall sets were repaired to match the active entries.</summary>
    Reconcile = 131072,

    /// <summary>Every event; the default when <c>events</c> is absent.</summary>
    All = Add | Delete | Abort | Failure | Timeout | Continue | Revoke | Trigger | Refused | RateLimited | Skip | DryRun | Lapsed | Expired
        | Undeliverable | Sent | Late | Reconcile,
}

/// <summary>How a notification target is reached.</summary>
public enum NotificationType
{
    /// <summary>A generic JSON webhook: the event (or a digest) as JSON, POSTed to <see cref="NotificationTarget.Url"/>.</summary>
    Webhook,

    /// <summary>A Slack incoming webhook (text and blocks).</summary>
    Slack,

    /// <summary>A Microsoft Teams workflow webhook (an Adaptive Card) or a legacy connector (a MessageCard); see <see cref="TeamsFormat"/>.</summary>
    Teams,

    /// <summary>Email over SMTP.</summary>
    Email,

    /// <summary>RFC 5424 syslog over a unix datagram socket, UDP or TCP.</summary>
    Syslog,
}

/// <summary>The card a Teams target posts.</summary>
public enum TeamsFormat
{
    /// <summary><c>adaptive-card</c>: a message with an Adaptive Card attachment, what Teams Workflows webhooks take.</summary>
    AdaptiveCard,

    /// <summary><c>message-card</c>: the legacy Office 365 connector MessageCard, for an old incoming webhook.</summary>
    MessageCard,
}

/// <summary>The SMTP settings of an email target.</summary>
public sealed record EmailSettings
{
    /// <summary>The SMTP server.</summary>
    public required string Host { get; init; }

    /// <summary>Its port. Default 587.</summary>
    public int Port { get; init; } = 587;

    /// <summary>True to require STARTTLS; false for a plain connection (a local relay). Default true.</summary>
    public bool StartTls { get; init; } = true;

    /// <summary>The user to authenticate as; null for no authentication.</summary>
    public string? User { get; init; }

    /// <summary>A file holding the password (its first line), so the password is not in the settings file.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>
    /// PEM certificates of the CA(s) the server's certificate must chain to, for a relay with a private CA; null to use
    /// the system's trust store. The server's name is checked either way.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>The sender address.</summary>
    public required string From { get; init; }

    /// <summary>The recipients.</summary>
    public required IReadOnlyList<string> To { get; init; }
}

/// <summary>The settings of a syslog target.</summary>
public sealed record SyslogSettings
{
    /// <summary>A unix datagram socket path (e.g. <c>/dev/log</c>), <c>udp://host:port</c> or <c>tcp://host:port</c>.</summary>
    public required string Address { get; init; }

    /// <summary>The syslog facility number (0–23). Default 1 (user).</summary>
    public int Facility { get; init; } = 1;
}

/// <summary>How events are gathered into digests (Alertmanager's semantics).</summary>
public sealed record NotificationGrouping
{
    /// <summary>How long the first event of a new group waits for others; zero sends each event on its own. Default zero.</summary>
    public TimeSpan GroupWait { get; init; }

    /// <summary>After a group's first digest, the least time before the next one of the same group. Default 1 minute.</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A group that has heard nothing for this long is closed; its next event waits <see cref="GroupWait"/> again. Default 4 hours.</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(4);
}

/// <summary>Retries of a failed send, with exponential back-off.</summary>
public sealed record NotificationRetry
{
    /// <summary>Attempts in all, the first included; then the message is given up on. Default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait after the first failure; each later one doubles. Default 1 second.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts. Default 5 minutes.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>One entry of the <c>notifications</c> section: where to tell about responses, and which ones.</summary>
public sealed record NotificationTarget
{
    /// <summary>The name <c>notify</c> lists refer to; unique within the file.</summary>
    public required string Name { get; init; }

    /// <summary>How the target is reached. Default <see cref="NotificationType.Webhook"/>.</summary>
    public NotificationType Type { get; init; } = NotificationType.Webhook;

    /// <summary>An absolute http or https URI; required for webhook, slack and teams, null otherwise.</summary>
    public Uri? Url { get; init; }

    /// <summary>The card a Teams target posts. Default <see cref="TeamsFormat.AdaptiveCard"/>; only type teams may set it.</summary>
    public TeamsFormat Format { get; init; } = TeamsFormat.AdaptiveCard;

    /// <summary>The SMTP settings; required for email.</summary>
    public EmailSettings? Email { get; init; }

    /// <summary>The syslog settings; required for syslog.</summary>
    public SyslogSettings? Syslog { get; init; }

    /// <summary>The events sent to this target. Default <see cref="NotificationEvents.All"/>.</summary>
    public NotificationEvents Events { get; init; } = NotificationEvents.All;

    /// <summary>Only events of these responses; empty for all.</summary>
    public IReadOnlyList<string> Responses { get; init; } = [];

    /// <summary>Only events of alerts of these rule ids; empty for all.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    /// <summary>Only events on these fleet agents (<c>local</c> for this host); empty for all.</summary>
    public IReadOnlyList<string> Agents { get; init; } = [];

    /// <summary>The least severity sent, 0 info, 1 warning, 2 error. Default 0.</summary>
    public int MinSeverity { get; init; }

    /// <summary>How events are gathered into digests.</summary>
    public NotificationGrouping Grouping { get; init; } = new();

    /// <summary>At most this many messages per <see cref="RateInterval"/>; zero for no cap. Default zero.</summary>
    public int RateLimit { get; init; }

    /// <summary>The window of <see cref="RateLimit"/>. Default 1 minute.</summary>
    public TimeSpan RateInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Retries of a failed send.</summary>
    public NotificationRetry Retry { get; init; } = new();

    /// <summary>The most events kept pending for a receiver that is down; older ones collapse into a "N more events" digest. Default 1000.</summary>
    public int MaxPending { get; init; } = 1000;

    /// <summary>The least time between two messages to this target; zero means no throttling. Default zero.</summary>
    public TimeSpan MinInterval { get; init; }

    /// <summary>Extra HTTP headers, e.g. <c>Authorization</c>. Default none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The flag of an event kind (a <c>ResponseEventKinds</c> name); None for a kind not known.</summary>
    public static NotificationEvents FlagOf(string kind) => kind switch
    {
        "add" => NotificationEvents.Add,
        "delete" => NotificationEvents.Delete,
        "abort" => NotificationEvents.Abort,
        "failure" => NotificationEvents.Failure,
        "kill" or "timeout" => NotificationEvents.Timeout,
        "continue" => NotificationEvents.Continue,
        "revoke" => NotificationEvents.Revoke,
        "trigger" => NotificationEvents.Trigger,
        "refused" => NotificationEvents.Refused,
        "rate-limited" => NotificationEvents.RateLimited,
        "skip" => NotificationEvents.Skip,
        "dry-run" => NotificationEvents.DryRun,
        "lapsed" => NotificationEvents.Lapsed,
        "expired" => NotificationEvents.Expired,
        "undeliverable" => NotificationEvents.Undeliverable,
        "late" => NotificationEvents.Late,
        "reconcile" => NotificationEvents.Reconcile,
        "sent" => NotificationEvents.Sent,
        _ => NotificationEvents.None,
    };
}
