using System.Globalization;
using System.Text.Json;

namespace Riposte.Protocol.Json;

/// <summary>
/// Input rules shared by the canonicalizer and the DOM parser, so both accept exactly the same
/// texts and decode them identically.
/// </summary>
internal static class CJsonSyntax
{
    /// <summary>cJSON's <c>CJSON_NESTING_LIMIT</c>: 1000 nested arrays/objects parse, 1001 do not.</summary>
    public const int NestingLimit = 1000;

    /// <summary>
    /// <c>parse_number</c> copies at most 63 characters into a scratch buffer before calling
    /// <c>strtod</c>; a longer number leaves unparsed characters behind.
    /// </summary>
    public const int MaxNumberLength = 63;

    /// <summary>
    /// Strict RFC 8259 syntax (no comments, no trailing commas), as cJSON's parser; only the depth
    /// limit differs from the reader's default.
    /// </summary>
    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = NestingLimit,
    };

    /// <summary>Skips a leading UTF-8 byte order mark, which <c>cJSON_Parse</c> ignores.</summary>
    public static int BomLength(ReadOnlySpan<byte> json) => json is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0;

    /// <summary>
    /// Converts a number token (validated JSON number syntax) to the double cJSON would store.
    /// </summary>
    /// <param name="token">The number text.</param>
    /// <param name="topLevel">Whether the number is the whole document rather than inside a container.</param>
    /// <param name="value">The parsed value.</param>
    /// <returns>False when cJSON would fail to parse the document because of this number.</returns>
    public static bool TryParseNumber(ReadOnlySpan<byte> token, bool topLevel, out double value)
    {
        if (token.Length > MaxNumberLength)
        {
            if (!topLevel)
            {
                // The characters past the 63rd are left where cJSON expects ',' or a closing bracket.
                value = 0;
                return false;
            }

            // cJSON_Parse does not require the input to end after the value, so a top-level number
            // is whatever strtod makes of the first 63 characters.
            token = StrtodPrefix(token[..MaxNumberLength]);
        }

        // strtod and .NET parsing are both correctly rounded, overflow to infinity and underflow
        // to zero, so they agree on every JSON number.
        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Writes the cJSON form of a number token. Small integers (the common case in alerts) are
    /// already in <c>%d</c> form and are copied without a round trip through double.
    /// </summary>
    /// <returns>Bytes written, or -1 when cJSON would reject the number.</returns>
    public static int WriteNumber(ReadOnlySpan<byte> token, bool topLevel, Span<byte> destination)
    {
        int start = token[0] == '-' ? 1 : 0;
        int digits = token.Length - start;
        if (digits <= 9 && token[start..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            // JSON forbids leading zeros, so the token is exactly what %d prints, except "-0".
            if (digits == 1 && start == 1 && token[1] == '0')
            {
                destination[0] = (byte)'0';
                return 1;
            }

            token.CopyTo(destination);
            return token.Length;
        }

        if (!TryParseNumber(token, topLevel, out double value))
        {
            return -1;
        }

        return CJsonNumberFormatter.FormatCore(value, destination);
    }

    /// <summary>
    /// Converts the line/column position of a <see cref="JsonException"/> into a byte offset.
    /// The reader counts lines by LF only.
    /// </summary>
    public static long ErrorOffset(ReadOnlySpan<byte> json, JsonException exception)
    {
        long line = exception.LineNumber ?? 0;
        long column = exception.BytePositionInLine ?? 0;
        int lineStart = 0;
        for (long i = 0; i < line; i++)
        {
            int newline = json[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            lineStart += newline + 1;
        }

        return lineStart + column;
    }

    /// <summary>Removes the reader's "LineNumber: x | BytePositionInLine: y." suffix; the offset is reported separately.</summary>
    public static string ReaderMessage(JsonException exception)
    {
        string message = exception.Message;
        int suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }

    public static string FormatError(string reason, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"Invalid JSON at byte offset {offset}: {reason}");

    /// <summary>The longest prefix strtod accepts from a truncated JSON number.</summary>
    private static ReadOnlySpan<byte> StrtodPrefix(ReadOnlySpan<byte> prefix)
    {
        // A cut inside an exponent ("1e", "1e+") leaves an incomplete exponent strtod ignores.
        if (prefix[^1] is (byte)'+' or (byte)'-')
        {
            prefix = prefix[..^1];
        }

        if (prefix[^1] is (byte)'e' or (byte)'E')
        {
            prefix = prefix[..^1];
        }

        return prefix;
    }
}
