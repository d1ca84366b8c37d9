namespace Riposte.Config.Settings;

/// <summary>Which events a notification target hears about.</summary>
[Flags]
public enum NotificationEvents
{
    /// <summary>No events.</summary>
    None = 0,

    /// <summary><c>add</c>: a response was applied.</summary>
    Add = 1,

    /// <summary><c>delete</c>: a response was reverted.</summary>
    Delete = 2,

    /// <summary><c>abort</c>: the program declined to act (its control line said abort).</summary>
    Abort = 4,

    /// <summary><c>failure</c>: the program failed.</summary>
    Failure = 8,

    /// <summary><c>timeout</c>: the program was killed for running too long.</summary>
    Timeout = 16,

    /// <summary>Every event; the default when <c>events</c> is absent.</summary>
    All = Add | Delete | Abort | Failure | Timeout,
}

/// <summary>One entry of the <c>notifications</c> section: a webhook.</summary>
public sealed record NotificationTarget
{
    /// <summary>The name <c>notify</c> lists refer to; unique within the file.</summary>
    public required string Name { get; init; }

    /// <summary>An absolute http or https URI.</summary>
    public required Uri Url { get; init; }

    /// <summary>The events sent to this target. Default <see cref="NotificationEvents.All"/>.</summary>
    public NotificationEvents Events { get; init; } = NotificationEvents.All;

    /// <summary>The least time between two messages to this target; zero means no throttling. Default zero.</summary>
    public TimeSpan MinInterval { get; init; }

    /// <summary>Extra HTTP headers, e.g. <c>Authorization</c>. Default none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
}
