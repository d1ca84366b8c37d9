using System.Net;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>The kinds of value settings take; the schema files combine these.</summary>
internal static class SettingTypes
{
    private const string DurationExpected = "a duration (seconds, or a string like \"10m\")";

    /// <summary>A non-empty string.</summary>
    public static SettingType<string> Text { get; } = new("a string", ReadText);

    /// <summary>A non-empty string, or null, which sets the setting to null.</summary>
    public static SettingType<string?> OptionalText { get; } = new("a string or null", (context, value, path) =>
        value.ValueKind == JsonValueKind.Null ? Bound.Of<string?>(null)
        : ReadText(context, value, path) is { Ok: true } text ? Bound.Of<string?>(text.Value)
        : default);

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static SettingType<bool> Bool { get; } = new("true or false", (context, value, path) =>
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return Bound.Of(value.ValueKind == JsonValueKind.True);
        }

        context.TypeError(value, path, "true or false");
        return default;
    });

    /// <summary>A <c>host:port</c> to listen on, or null for nowhere.</summary>
    public static SettingType<ListenEndpoint?> Listen { get; } = OptionalText.Then((context, path, text) =>
        text is null ? Bound.Of<ListenEndpoint?>(null)
        : ListenEndpoint.TryParse(text, out var endpoint, out string? error) ? Bound.Of<ListenEndpoint?>(endpoint)
        : context.Refuse<ListenEndpoint?>(path, $"{path}: {error}"), "host:port or null");

    /// <summary>IP addresses and CIDR networks; host bits set or a whole address family are warnings.</summary>
    public static SettingType<List<IPNetwork>> Allowlist { get; } = ListOf(
        new SettingType<IPNetwork>("an IP address or CIDR network", (context, value, path) =>
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                context.TypeError(value, path, "a string");
                return default;
            }

            if (!NetworkSyntax.TryParseNetwork(value.GetString()!, out var network, out string? warning, out string? error))
            {
                return context.Refuse<IPNetwork>(path, $"{path}: {error}");
            }

            if (warning is not null)
            {
                context.Warning(path, $"{path}: {warning}");
            }

            return Bound.Of(network);
        }),
        "an array of IP addresses and CIDR networks");

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <param name="min">The least accepted.</param>
    /// <param name="max">The most accepted; <see cref="int.MaxValue"/> for no upper bound of its own.</param>
    /// <param name="hint">Added to a range error, e.g. what 0 means.</param>
    public static SettingType<int> Int(int min, int max, string hint = "") => new("a whole number", (context, value, path) =>
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            context.TypeError(value, path, "a whole number");
            return default;
        }

        string raw = value.GetRawText();
        if (!value.TryGetInt64(out long number))
        {
            // An integer written with too many digits is out of range, not fractional: say which bound it breaks.
            return IsIntegerLiteral(raw)
                ? context.Refuse<int>(path, $"{path} {RangeMessage(min, max, below: raw[0] == '-')}{hint}, not {raw}")
                : context.Refuse<int>(path, $"{path} must be a whole number, not {raw}");
        }

        return number < min || number > max
            ? context.Refuse<int>(path, $"{path} {RangeMessage(min, max, below: number < min)}{hint}, not {number}")
            : Bound.Of((int)number);
    });

    /// <summary>A duration: whole seconds, or text such as <c>"10m"</c>; see <see cref="DurationSyntax"/>.</summary>
    /// <param name="allowZero">False when zero would mean "never" or "at once" and is surely a mistake.</param>
    public static SettingType<TimeSpan> Duration(bool allowZero) => new(DurationExpected, (context, value, path) =>
    {
        var duration = TimeSpan.Zero;
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
                context.TypeError(value, path, DurationExpected);
                return default;
        }

        return !parsed ? context.Refuse<TimeSpan>(path, $"{path}: {error}")
            : !allowZero && duration == TimeSpan.Zero ? context.Refuse<TimeSpan>(path, $"{path} must be longer than zero")
            : Bound.Of(duration);
    });

    /// <summary>One of a fixed set of strings, each standing for a value; a near miss gets a suggestion.</summary>
    /// <param name="choices">The allowed strings in the order messages list them, with what each means.</param>
    public static SettingType<T> Choice<T>(params (string Name, T Value)[] choices)
    {
        string[] names = [.. choices.Select(c => c.Name)];
        string quoted = string.Join(", ", names.Select(c => $"\"{c}\""));
        return new($"one of {quoted}", (context, value, path) =>
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                context.TypeError(value, path, $"one of {quoted}");
                return default;
            }

            string text = value.GetString()!;
            int index = Array.IndexOf(names, text);
            if (index >= 0)
            {
                return Bound.Of(choices[index].Value);
            }

            string? guess = KeySuggestion.Closest(text, names);
            return context.Refuse<T>(path, $"{path} must be one of {quoted}, not \"{text}\"" + (guess is null ? "" : $"; did you mean \"{guess}\"?"));
        });
    }

    /// <summary>An array of <paramref name="item"/>; items it refuses are reported and left out.</summary>
    /// <param name="item">How each item is read.</param>
    /// <param name="expected">What the array holds, in the words its type error uses.</param>
    public static SettingType<List<T>> ListOf<T>(SettingType<T> item, string expected) => new(expected, (context, value, path) =>
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            context.TypeError(value, path, expected);
            return default;
        }

        var items = new List<T>();
        int i = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (item.Read(context, element, JsonPositionIndex.Item(path, i++)) is { Ok: true } read)
            {
                items.Add(read.Value);
            }
        }

        return Bound.Of(items);
    });

    /// <summary>An array of non-empty strings.</summary>
    /// <param name="expected">What the strings are, in the words its type error uses (e.g. "an array of file paths").</param>
    public static SettingType<List<string>> TextList(string expected) => ListOf(Text, expected);

    /// <summary>A nested section: an object whose keys <paramref name="section"/> declares.</summary>
    public static SettingType<T> Object<T>(SettingSection<T> section)
        where T : class =>
        new("an object", (context, value, path) => section.Bind(context, value, path) is { } bound ? Bound.Of(bound) : default);

    private static Bound<string> ReadText(SettingsContext context, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            context.TypeError(value, path, "a string");
            return default;
        }

        string text = value.GetString()!;
        return text.Length == 0 ? context.Refuse<string>(path, $"{path} must not be empty") : Bound.Of(text);
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
}
