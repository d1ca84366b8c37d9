using System.Buffers;

namespace Riposte.Protocol.Json;

/// <summary>
/// String handling with cJSON semantics: <c>parse_string</c> (escape decoding into a C string) and
/// <c>print_string_ptr</c> (re-escaping). Strings are handled as raw bytes because cJSON never
/// validates UTF-8; it copies whatever bytes it is given.
/// </summary>
internal static class CJsonStrings
{
    /// <summary>Bytes that <c>print_string_ptr</c> escapes: control characters, quote and backslash.</summary>
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        [
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
            0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
            (byte)'"', (byte)'\\',
        ]);

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>
    /// Writes <paramref name="value"/> (decoded bytes) as a quoted cJSON string. A NUL byte ends
    /// the string, as it does for the C string cJSON prints from.
    /// </summary>
    public static void WriteQuoted(ref CJsonOutput output, ReadOnlySpan<byte> value)
    {
        int index = value.IndexOfAny(NeedsEscape);
        if (index < 0)
        {
            Span<byte> span = output.GetSpan(value.Length + 2);
            span[0] = (byte)'"';
            value.CopyTo(span[1..]);
            span[value.Length + 1] = (byte)'"';
            output.Advance(value.Length + 2);
            return;
        }

        output.WriteByte((byte)'"');
        while (index >= 0)
        {
            output.Write(value[..index]);
            byte b = value[index];
            if (b == 0)
            {
                value = default;
                break;
            }

            Span<byte> span = output.GetSpan(6);
            output.Advance(WriteEscapedByte(b, span));
            value = value[(index + 1)..];
            index = value.IndexOfAny(NeedsEscape);
        }

        output.Write(value);
        output.WriteByte((byte)'"');
    }

    /// <summary>
    /// Transcodes the raw content of an escaped JSON string token (without quotes) straight to
    /// cJSON's printed form, i.e. <c>print_string_ptr(parse_string(token))</c> without the quotes.
    /// The result is never longer than <paramref name="source"/>.
    /// </summary>
    /// <returns>Bytes written, or -1 with <paramref name="errorIndex"/> set when cJSON rejects an escape.</returns>
    public static int TranscodeEscaped(ReadOnlySpan<byte> source, Span<byte> destination, out int errorIndex) =>
        Decode(source, destination, reEscape: true, out errorIndex);

    /// <summary>
    /// Decodes the raw content of a JSON string token (without quotes) the way <c>parse_string</c>
    /// does, truncating at the first decoded NUL. The result is never longer than <paramref name="source"/>.
    /// </summary>
    /// <returns>Bytes written, or -1 with <paramref name="errorIndex"/> set when cJSON rejects an escape.</returns>
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination, out int errorIndex) =>
        Decode(source, destination, reEscape: false, out errorIndex);

    // One walk serves both: re-escaping on the way out gives cJSON's printed form, not re-escaping gives the parsed value.
    private static int Decode(ReadOnlySpan<byte> source, Span<byte> destination, bool reEscape, out int errorIndex)
    {
        int written = 0;
        int position = 0;
        bool terminated = false;
        while (true)
        {
            int backslash = source[position..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                if (!terminated)
                {
                    source[position..].CopyTo(destination[written..]);
                    written += source.Length - position;
                }

                errorIndex = -1;
                return written;
            }

            if (!terminated)
            {
                source.Slice(position, backslash).CopyTo(destination[written..]);
                written += backslash;
            }

            position += backslash;
            int escapeStart = position;
            int codePoint = ReadEscape(source, ref position);
            if (codePoint < 0)
            {
                errorIndex = escapeStart;
                return -1;
            }

            if (terminated)
            {
                // Past a decoded NUL nothing is printed, but cJSON still parses (and can reject)
                // the remaining escapes.
                continue;
            }

            if (codePoint == 0)
            {
                terminated = true;
            }
            else if (reEscape && (codePoint < 0x20 || codePoint == '"' || codePoint == '\\'))
            {
                written += WriteEscapedByte((byte)codePoint, destination[written..]);
            }
            else
            {
                written += EncodeUtf8(codePoint, destination[written..]);
            }
        }
    }

    /// <summary>
    /// Whether cJSON's <c>parse_string</c> accepts the escapes in the raw content of a JSON string token (without
    /// quotes): the same checks as <see cref="Unescape"/>, without decoding.
    /// </summary>
    /// <param name="source">The token's raw content.</param>
    /// <param name="errorIndex">The offending backslash in <paramref name="source"/>, or -1.</param>
    public static bool EscapesAreValid(ReadOnlySpan<byte> source, out int errorIndex)
    {
        int position = 0;
        while (true)
        {
            int backslash = source[position..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                errorIndex = -1;
                return true;
            }

            position += backslash;
            int escapeStart = position;
            if (ReadEscape(source, ref position) < 0)
            {
                errorIndex = escapeStart;
                return false;
            }
        }
    }

    /// <summary>Length of <paramref name="value"/> up to (not including) its first NUL byte.</summary>
    public static int CStringLength(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return nul < 0 ? value.Length : nul;
    }

    /// <summary>
    /// <c>case_insensitive_strcmp(a, b) == 0</c>: bytes compared after C-locale <c>tolower</c>
    /// (ASCII letters only), stopping at the end of the shorter C string.
    /// </summary>
    public static bool EqualsIgnoreAsciiCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        a = a[..CStringLength(a)];
        b = b[..CStringLength(b)];
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            int x = a[i];
            int y = b[i];
            if (x != y && ToLowerAscii(x) != ToLowerAscii(y))
            {
                return false;
            }
        }

        return true;
    }

    private static int ToLowerAscii(int c) => (uint)(c - 'A') <= 'Z' - 'A' ? c + 32 : c;

    /// <summary>
    /// Decodes one escape sequence starting at the backslash at <paramref name="position"/> and
    /// advances past it. Surrogates follow <c>utf16_literal_to_utf8</c>: a lone low surrogate or a
    /// high surrogate not followed by a <c>\u</c> low surrogate is an error.
    /// </summary>
    /// <returns>The code point, or -1 if cJSON would fail the parse.</returns>
    private static int ReadEscape(ReadOnlySpan<byte> source, ref int position)
    {
        if (position + 1 >= source.Length)
        {
            return -1;
        }

        byte kind = source[position + 1];
        switch (kind)
        {
            case (byte)'b':
                position += 2;
                return 0x08;
            case (byte)'f':
                position += 2;
                return 0x0C;
            case (byte)'n':
                position += 2;
                return 0x0A;
            case (byte)'r':
                position += 2;
                return 0x0D;
            case (byte)'t':
                position += 2;
                return 0x09;
            case (byte)'"':
            case (byte)'\\':
            case (byte)'/':
                position += 2;
                return kind;
            case (byte)'u':
                break;
            default:
                return -1;
        }

        if (source.Length - position < 6)
        {
            return -1;
        }

        int first = ParseHex4(source.Slice(position + 2, 4));
        if (first < 0 || (uint)(first - 0xDC00) <= 0x3FF)
        {
            return -1;
        }

        if ((uint)(first - 0xD800) > 0x3FF)
        {
            position += 6;
            return first;
        }

        int second = position + 6;
        if (source.Length - second < 6 || source[second] != '\\' || source[second + 1] != 'u')
        {
            return -1;
        }

        int low = ParseHex4(source.Slice(second + 2, 4));
        if (low < 0 || (uint)(low - 0xDC00) > 0x3FF)
        {
            return -1;
        }

        position += 12;
        return 0x10000 + (((first & 0x3FF) << 10) | (low & 0x3FF));
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        int value = 0;
        foreach (byte c in hex)
        {
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    /// <summary>Writes the escape <c>print_string_ptr</c> uses for a byte below 0x20, a quote or a backslash.</summary>
    private static int WriteEscapedByte(byte b, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        byte shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            0x08 => (byte)'b',
            0x0C => (byte)'f',
            0x0A => (byte)'n',
            0x0D => (byte)'r',
            0x09 => (byte)'t',
            _ => 0,
        };
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }

        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = HexDigits[b >> 4];
        destination[5] = HexDigits[b & 0xF];
        return 6;
    }

    private static int EncodeUtf8(int codePoint, Span<byte> destination)
    {
        if (codePoint < 0x80)
        {
            destination[0] = (byte)codePoint;
            return 1;
        }

        if (codePoint < 0x800)
        {
            destination[0] = (byte)(0xC0 | (codePoint >> 6));
            destination[1] = (byte)(0x80 | (codePoint & 0x3F));
            return 2;
        }

        if (codePoint < 0x10000)
        {
            destination[0] = (byte)(0xE0 | (codePoint >> 12));
            destination[1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
            destination[2] = (byte)(0x80 | (codePoint & 0x3F));
            return 3;
        }

        destination[0] = (byte)(0xF0 | (codePoint >> 18));
        destination[1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
        destination[2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
        destination[3] = (byte)(0x80 | (codePoint & 0x3F));
        return 4;
    }
}
