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
    public static string Quote(string value)
    {
        var text = new StringBuilder("'", value.Length + 2);
        foreach (var c in value.Length > MaxShown ? value.AsSpan(0, MaxShown) : value.AsSpan())
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

        if (value.Length > MaxShown)
        {
            text.Append("...");
        }

        return text.Append('\'').ToString();
    }
}
