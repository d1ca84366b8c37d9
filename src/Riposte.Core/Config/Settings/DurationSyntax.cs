using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Riposte.Config.Settings;

/// <summary>
/// The duration syntax of <c>riposte.json</c>: a whole number of seconds, or a string of number-unit pairs
/// such as <c>"500ms"</c>, <c>"90s"</c>, <c>"10m"</c>, <c>"1h30m"</c> or <c>"7d"</c>.
/// </summary>
public static class DurationSyntax
{
    private const string Examples = "write e.g. \"90s\", \"10m\", \"1h30m\", \"7d\" or \"500ms\", or a whole number of seconds";

    private static readonly long MaxMilliseconds = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;

    private static readonly (string Unit, long Milliseconds)[] Units =
    [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];

    /// <summary>Parses the string form.</summary>
    /// <remarks>
    /// Units must run from largest to smallest, each at most once: <c>"30m1h"</c> or <c>"1m1m"</c> are far more
    /// likely typos than intent. Units are lower case because <c>M</c> would read as months.
    /// </remarks>
    /// <param name="text">The duration text.</param>
    /// <param name="value">The duration, when valid.</param>
    /// <param name="error">Why the text is not a duration, otherwise.</param>
    public static bool TryParse(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (text.Length == 0)
        {
            error = $"empty duration; {Examples}";
            return false;
        }

        if (text[0] == '-')
        {
            error = $"\"{text}\" is negative; durations must be zero or more";
            return false;
        }

        long total = 0;
        int previousUnit = -1;
        int i = 0;
        while (i < text.Length)
        {
            int numberStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
            {
                i++;
            }

            if (numberStart == unitStart)
            {
                error = $"\"{text}\" is not a duration; {Examples}";
                return false;
            }

            if (unitStart == i)
            {
                error = i < text.Length
                    ? $"\"{text}\" is not a duration; {Examples}"
                    : $"\"{text}\" has no unit; {Examples}";
                return false;
            }

            var unit = text.AsSpan(unitStart, i - unitStart);
            int unitIndex = IndexOfUnit(unit);
            if (unitIndex < 0)
            {
                error = $"\"{text}\": unknown unit \"{unit}\"; use ms, s, m, h or d";
                return false;
            }

            if (unitIndex <= previousUnit)
            {
                error = $"\"{text}\": units must go from largest to smallest, each at most once (e.g. \"1h30m\")";
                return false;
            }

            previousUnit = unitIndex;
            long unitMilliseconds = Units[unitIndex].Milliseconds;
            if (!long.TryParse(text.AsSpan(numberStart, unitStart - numberStart), NumberStyles.None, CultureInfo.InvariantCulture, out long amount)
                || amount > (MaxMilliseconds - total) / unitMilliseconds)
            {
                error = $"\"{text}\" is too long a duration";
                return false;
            }

            total += amount * unitMilliseconds;
        }

        value = TimeSpan.FromTicks(total * TimeSpan.TicksPerMillisecond);
        error = null;
        return true;
    }

    private static int IndexOfUnit(ReadOnlySpan<char> unit)
    {
        for (int i = 0; i < Units.Length; i++)
        {
            if (unit.SequenceEqual(Units[i].Unit))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Parses a whole number of seconds, the JSON number form.</summary>
    /// <param name="seconds">The number.</param>
    /// <param name="value">The duration, when valid.</param>
    /// <param name="error">Why the number is not a duration, otherwise.</param>
    public static bool TryFromSeconds(long seconds, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (seconds < 0)
        {
            error = $"{seconds} is negative; durations must be zero or more";
            return false;
        }

        if (seconds > MaxMilliseconds / 1000)
        {
            error = $"{seconds} seconds is too long a duration";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        error = null;
        return true;
    }

    /// <summary>Formats a duration in the string form, e.g. 5400 s as <c>1h30m</c>; zero is <c>0s</c>.</summary>
    /// <param name="value">The duration; below-millisecond parts are dropped.</param>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(value.Duration());
        }

        long remaining = value.Ticks / TimeSpan.TicksPerMillisecond;
        if (remaining == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        foreach (var (unit, milliseconds) in Units)
        {
            long amount = remaining / milliseconds;
            if (amount > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{amount}{unit}");
                remaining -= amount * milliseconds;
            }
        }

        return text.ToString();
    }
}
