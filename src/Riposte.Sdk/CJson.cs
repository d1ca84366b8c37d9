using System.Text;
using System.Text.Json;

namespace Riposte.Sdk;

/// <summary>
/// The parts of cJSON's behaviour that Wazuh's helper library depends on, over <see cref="JsonDocument"/>:
/// only the first JSON value of a line is parsed (trailing bytes are ignored), object keys are looked up
/// ASCII-case-insensitively with the first match winning, string values end at an embedded NUL (C strings), and
/// strings are printed with cJSON's escapes. cJSON also accepts bytes that are not UTF-8 and raw control characters
/// inside strings; rather than refusing such a message (an attacker could then put one invalid byte in a log line to
/// escape a block), the parse is retried on a repaired copy.
/// </summary>
internal static class CJson
{
    /// <summary>cJSON's <c>CJSON_NESTING_LIMIT</c>.</summary>
    private const int NestingLimit = 1000;

    /// <summary>Parses the first JSON value in <paramref name="utf8"/>, or returns null (cJSON_Parse failing).</summary>
    public static JsonDocument? Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\xEF\xBB\xBF"u8))
        {
            utf8 = utf8[3..];
        }

        return TryParse(utf8) ?? (NeedsRepair(utf8) ? TryParse(Repair(utf8)) : null);
    }

    private static JsonDocument? TryParse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = NestingLimit });
        try
        {
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool NeedsRepair(ReadOnlySpan<byte> utf8) =>
        !System.Text.Unicode.Utf8.IsValid(utf8) || utf8.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0;

    /// <summary>
    /// Invalid UTF-8 becomes U+FFFD and raw control characters inside strings become <c>\u00XX</c> escapes, so the
    /// text means what cJSON would have read. Structure outside strings is left alone (cJSON rejects it too).
    /// </summary>
    internal static byte[] Repair(ReadOnlySpan<byte> utf8)
    {
        var output = new List<byte>(utf8.Length + 16);
        var inString = false;
        var i = 0;
        while (i < utf8.Length)
        {
            var b = utf8[i];
            if (b >= 0x80)
            {
                var status = System.Text.Rune.DecodeFromUtf8(utf8[i..], out _, out var consumed);
                if (status == System.Buffers.OperationStatus.Done)
                {
                    for (var k = 0; k < consumed; k++)
                    {
                        output.Add(utf8[i + k]);
                    }
                }
                else
                {
                    output.AddRange("\xEF\xBF\xBD"u8);
                }

                i += consumed;
                continue;
            }

            if (inString && b < 0x20)
            {
                output.AddRange(Encoding.ASCII.GetBytes($"\\u{b:x4}"));
            }
            else
            {
                output.Add(b);
                if (b == (byte)'"')
                {
                    inString = !inString;
                }
                else if (inString && b == (byte)'\\' && i + 1 < utf8.Length && utf8[i + 1] < 0x80)
                {
                    output.Add(utf8[++i]);
                }
            }

            i++;
        }

        return [.. output];
    }

    /// <summary><c>cJSON_GetObjectItem</c>: the first member whose name equals <paramref name="name"/> ignoring ASCII case.</summary>
    public static bool TryGetMember(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                if (AsciiEqualsIgnoreCase(member.Name, name))
                {
                    value = member.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>Follows a path of member names; every step but the last must be an object.</summary>
    public static bool TryGetPath(JsonElement element, ReadOnlySpan<string> path, out JsonElement value)
    {
        value = element;
        foreach (var name in path)
        {
            if (!TryGetMember(value, name, out value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A string value as a C program sees it (cut at the first NUL); null when not a string.</summary>
    public static string? CString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = element.GetString()!;
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0 ? text[..nul] : text;
    }

    /// <summary>Appends <paramref name="text"/> as a JSON string literal the way <c>cJSON_PrintUnformatted</c> writes it.</summary>
    public static void WriteString(StringBuilder output, string text)
    {
        output.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case < ' ': output.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: output.Append(c); break;
            }
        }

        output.Append('"');
    }

    private static bool AsciiEqualsIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && (a[i] > 0x7F || b[i] > 0x7F || char.ToLowerInvariant(a[i]) != char.ToLowerInvariant(b[i])))
            {
                return false;
            }
        }

        return true;
    }
}
