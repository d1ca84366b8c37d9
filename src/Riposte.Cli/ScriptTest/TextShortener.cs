using System.Globalization;
using System.Text;

namespace Riposte.Cli.ScriptTest;

/// <summary>Makes program output safe and short enough to print in a report line.</summary>
internal static class TextShortener
{
    /// <summary>
    /// <paramref name="text"/> with control characters shown as escapes (a stray carriage return or escape sequence
    /// from the program must not garble the report), cut to <paramref name="max"/> characters with the full length.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        var visible = new StringBuilder(Math.Min(text.Length, max) + 16);
        var shown = 0;
        foreach (var c in text)
        {
            if (visible.Length >= max)
            {
                break;
            }

            shown++;
            _ = c switch
            {
                '\r' => visible.Append("\\r"),
                '\t' => visible.Append("\\t"),
                '\n' => visible.Append("\\n"),
                _ when char.IsControl(c) => visible.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => visible.Append(c),
            };
        }

        return shown == text.Length
            ? visible.ToString()
            : $"{visible}... ({Encoding.UTF8.GetByteCount(text)} bytes)";
    }
}
