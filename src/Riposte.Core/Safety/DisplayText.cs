using System.Globalization;
using System.Text;

namespace Riposte.Safety;

/// <summary>
/// Hostile text made safe to show: refused addresses and user names end up in active-responses.log, which Wazuh
/// itself tails and decodes, so a raw newline in one would forge a program's log line (and its alert).
/// </summary>
public static class DisplayText
{
    /// <summary>The longest part of a value shown; the rest is elided.</summary>
    public const int MaxShown = 80;

    /// <summary>
    /// <paramref name="value"/> in single quotes, on one line: control characters, quotes, backslashes and non-ASCII are
    /// escaped (<c>\n</c>, <c>\x00</c>, <c>\u00e9</c>), and anything past <see cref="MaxShown"/> characters is elided.
    /// </summary>
    public static string Quote(string value) => Quote(value, MaxShown);

    /// <summary>
    /// <paramref name="value"/> quoted as <see cref="Quote(string)"/> does, showing at most <paramref name="maxShown"/>
    /// of its characters.
    /// </summary>
    public static string Quote(string value, int maxShown)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxShown);
        var shown = value.Length > maxShown ? value.AsSpan(0, maxShown) : value.AsSpan();
        var text = new StringBuilder("'", shown.Length + 8);
        foreach (var c in shown)
        {
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                '\\' or '\'' => text.Append('\\').Append(c),
                < ' ' or '\x7f' => text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                > '\x7f' => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        if (value.Length > maxShown)
        {
            text.Append("...");
        }

        return text.Append('\'').ToString();
    }
}
