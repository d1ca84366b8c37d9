using System.Collections.ObjectModel;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>The schema of a <c>notifications</c> entry: a webhook.</summary>
internal static class NotificationSchema
{
    private const string HeaderNameSymbols = "!#$%&'*+-.^_`|~";

    private static readonly (string Name, NotificationEvents Value)[] EventChoices =
    [
        ("add", NotificationEvents.Add), ("delete", NotificationEvents.Delete), ("abort", NotificationEvents.Abort),
        ("failure", NotificationEvents.Failure), ("timeout", NotificationEvents.Timeout),
    ];

    private static readonly SettingType<NotificationEvents> EventName = SettingTypes.Choice(EventChoices);

    private static readonly SettingType<Uri> WebUrl = SettingTypes.Text.Then((context, path, text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0
            ? Bound.Of(uri)
            : context.Refuse<Uri>(path, $"{path}: \"{text}\" is not an absolute http or https URL"));

    /// <summary>One entry, as read before it is known to be complete.</summary>
    public static SettingSection<Draft> Section { get; } =
        new SettingSection<Draft>(new Draft(), "A webhook told about responses.")
            .Key("name", SettingTypes.Text, (d, v) => d with { Name = v }, "The name notify lists refer to; unique within the file.", required: true)
            .Key("url", WebUrl, (d, v) => d with { Url = v }, "An absolute http or https URL.", required: true)
            .Key("events", new SettingType<NotificationEvents>("an array of event names", ReadEvents),
                (d, v) => d with { Events = v }, "The events sent; all of them when left out.")
            .Key("min_interval", SettingTypes.Duration(allowZero: true), (d, v) => d with { MinInterval = v }, "The least time between two messages; 0 for no throttling.")
            .Key("headers", new SettingType<ReadOnlyDictionary<string, string>>("an object of HTTP headers", ReadHeaders),
                (d, v) => d with { Headers = v }, "Extra HTTP headers, e.g. Authorization.")
            .Rule(ClaimTheName);

    /// <summary>The <c>notifications</c> section: the complete entries, in file order.</summary>
    public static SettingType<List<NotificationTarget>> Notifications { get; } =
        SettingTypes.ListOf(SettingTypes.Object(Section), "an array of notification targets").Then((_, _, drafts) =>
            Bound.Of(drafts.Where(d => d.Name is not null && d.Url is not null).Select(d => d.ToTarget()).ToList()));

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
                context.Warning(itemPath, $"{itemPath}: \"{EventChoices.First(c => c.Value == chosen).Name}\" is listed twice");
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

        public NotificationEvents Events { get; init; } = NotificationEvents.All;

        public TimeSpan MinInterval { get; init; }

        public IReadOnlyDictionary<string, string>? Headers { get; init; }

        public NotificationTarget ToTarget() => new()
        {
            Name = Name!,
            Url = Url!,
            Events = Events,
            MinInterval = MinInterval,
            Headers = Headers ?? ReadOnlyDictionary<string, string>.Empty,
        };
    }
}
