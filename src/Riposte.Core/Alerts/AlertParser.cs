using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Protocol.Json;

namespace Riposte.Alerts;

/// <summary>Extracts an <see cref="Alert"/>'s fields in one forward pass over its JSON (no DOM).</summary>
/// <remarks>
/// <para>
/// Any byte sequence gives a result, never an exception. A line is accepted only when cJSON (execd, and the program
/// after it) would parse it too, so a message can always be built from an accepted alert: an unpaired surrogate escape
/// or a number longer than 63 characters anywhere in the line, even in a field nothing reads, rejects the line, as it
/// makes cJSON fail the whole message. Nesting deeper than 256 is rejected too (cJSON allows 1000; alerts never nest
/// that deep).
/// </para>
/// <para>
/// String bytes are not required to be UTF-8, as in cJSON: <see cref="Alert.Json"/> keeps them, so the program gets
/// them raw. A field's .NET string is what the program's cJSON would hold, decoded: escapes resolved, cut at a decoded
/// <c>\u0000</c> (a C string ends there) and each invalid UTF-8 sequence replaced by U+FFFD, so an address with a
/// stray byte is simply not a valid address.
/// </para>
/// <para>
/// Every member read, and every object on its path, is the one <c>cJSON_GetObjectItem</c> returns, as execd, the
/// programs and <see cref="Protocol.Execd.ExecdMessage"/> look it up: the first whose name matches ignoring ASCII case
/// (only A-Z fold), the name cut at a decoded <c>\u0000</c>. A later duplicate or case variant is ignored even when the
/// first match is not of the expected type, so an alert is matched and white-list-checked on the value the program acts
/// on.
/// </para>
/// </remarks>
public static class AlertParser
{
    // The members read from each object, lower-case (see Claim); a handler's member index is the position here.
    private static readonly byte[][] TopNames = Names("rule", "agent", "data", "id", "location", "decoder", "syscheck");
    private static readonly byte[][] AgentNames = Names("id", "name", "ip");
    private static readonly byte[][] DataNames = Names("srcip", "dstuser", "win");
    private static readonly byte[][] WinNames = Names("eventdata");
    private static readonly byte[][] EventDataNames = Names("ipaddress", "destinationip");
    private static readonly byte[][] NameOnly = Names("name");
    private static readonly byte[][] PathOnly = Names("path");

    // rule.id, rule.level, rule.groups, then the compliance arrays analysisd splits out of the rule's group string.
    private const int FirstCompliance = 3;
    private static readonly string[] Compliance = ["pci_dss_", "gpg13_", "gdpr_", "hipaa_", "nist_800_53_", "tsc_", "cis_"];
    private static readonly byte[][] RuleNames = Names(["id", "level", "groups", .. Compliance.Select(p => p[..^1])]);

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>
    /// Parses one alert object; returns false with a reason, and the byte offset in <paramref name="json"/> where it
    /// stopped being readable, when the text is not a JSON object cJSON would accept. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, out Alert? alert, out string? error, out long errorOffset)
    {
        alert = null;
        error = null;
        errorOffset = 0;
        var reader = new Utf8JsonReader(json.Span, Options);
        var result = new Alert(json);
        try
        {
            if (!Next(ref reader) || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "expected a JSON object";
                return false;
            }

            ReadTop(ref reader, result);
            if (Next(ref reader))
            {
                error = "unexpected data after the alert object";
                errorOffset = reader.TokenStartIndex;
                return false;
            }
        }
        catch (JsonException ex)
        {
            // The reader counts lines by LF; a line from JSON-lines input has none, other callers get the reader's text.
            errorOffset = ex.LineNumber is null or 0 ? ex.BytePositionInLine ?? reader.BytesConsumed : reader.BytesConsumed;
            error = CJsonSyntax.ReaderMessage(ex);
            return false;
        }

        alert = result;
        return true;
    }

    /// <summary>Parses one alert object or throws <see cref="FormatException"/>.</summary>
    public static Alert Parse(ReadOnlyMemory<byte> json) =>
        TryParse(json, out var alert, out var error, out _) ? alert! : throw new FormatException(error);

    /// <summary>Parses one alert from text.</summary>
    public static Alert Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static void ReadTop(ref Utf8JsonReader reader, Alert alert)
    {
        var seen = 0;
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Claim(ref reader, TopNames, ref seen);
            if (member < 0)
            {
                SkipValue(ref reader);
                continue;
            }

            Next(ref reader);
            switch (member)
            {
                case 0:
                    ReadRule(ref reader, alert);
                    break;
                case 1:
                    ReadObject(ref reader, alert, AgentNames, static (ref Utf8JsonReader r, Alert a, int m) =>
                    {
                        var value = StringValue(ref r);
                        switch (m)
                        {
                            case 0: a.AgentId = value; break;
                            case 1: a.AgentName = value; break;
                            default: a.AgentIp = value; break;
                        }
                    });
                    break;
                case 2:
                    ReadObject(ref reader, alert, DataNames, static (ref Utf8JsonReader r, Alert a, int m) =>
                    {
                        switch (m)
                        {
                            case 0: a.SrcIp = StringValue(ref r); break;
                            case 1: a.DstUser = StringValue(ref r); break;
                            default:
                                ReadObject(ref r, a, WinNames, static (ref Utf8JsonReader w, Alert b, int _) =>
                                    ReadObject(ref w, b, EventDataNames, static (ref Utf8JsonReader e, Alert c, int n) =>
                                    {
                                        var value = StringValue(ref e);
                                        if (n == 0) { c.WinIpAddress = value; } else { c.WinDestinationIp = value; }
                                    }));
                                break;
                        }
                    });
                    break;
                case 3:
                    alert.Id = StringValue(ref reader);
                    break;
                case 4:
                    alert.Location = StringValue(ref reader);
                    break;
                case 5:
                    ReadObject(ref reader, alert, NameOnly, static (ref Utf8JsonReader r, Alert a, int _) => a.DecoderName = StringValue(ref r));
                    break;
                default:
                    ReadObject(ref reader, alert, PathOnly, static (ref Utf8JsonReader r, Alert a, int _) => a.SyscheckPath = StringValue(ref r));
                    break;
            }
        }
    }

    private static void ReadRule(ref Utf8JsonReader reader, Alert alert)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        var groups = new ValueStringBuilder(256);
        try
        {
            var seen = 0;
            while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Claim(ref reader, RuleNames, ref seen);
                if (member < 0)
                {
                    SkipValue(ref reader);
                    continue;
                }

                Next(ref reader);
                switch (member)
                {
                    case 0 when reader.TokenType == JsonTokenType.String:
                        alert.RuleId = DecodeString(ref reader);
                        alert.RuleIdNumber = Config.CNumbers.Atoi(alert.RuleId);
                        break;
                    case 0 when reader.TokenType == JsonTokenType.Number:
                        alert.RuleIdNumber = ToInt32(ref reader);
                        alert.RuleId = alert.RuleIdNumber.ToString(CultureInfo.InvariantCulture);
                        break;
                    case 1 when reader.TokenType == JsonTokenType.Number:
                        alert.RuleLevel = ToInt32(ref reader);
                        break;
                    case 1 when reader.TokenType == JsonTokenType.String:
                        alert.RuleLevel = Config.CNumbers.Atoi(DecodeString(ref reader));
                        break;
                    case 2:
                        AppendItems(ref reader, ref groups, "");
                        break;
                    case >= FirstCompliance:
                        AppendItems(ref reader, ref groups, Compliance[member - FirstCompliance]);
                        break;
                    default:
                        Skip(ref reader);
                        break;
                }
            }

            alert.GroupString = groups.Length == 0 ? "" : groups.ToString();
        }
        finally
        {
            groups.Dispose();
        }
    }

    /// <summary>
    /// Which of <paramref name="names"/> the current property name is, as <c>cJSON_GetObjectItem</c> would look it up:
    /// the decoded name cut at a <c>\u0000</c> (a C string), ASCII letters folded (C-locale <c>tolower</c> on bytes, so
    /// U+017F or U+0131 match nothing), and only the first match in the object counts (<paramref name="seen"/>), so a
    /// later duplicate or case variant is skipped. Returns -1 for a name to skip.
    /// </summary>
    private static int Claim(ref Utf8JsonReader reader, byte[][] names, ref int seen)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return Claim(raw, names, ref seen);
        }

        byte[]? rented = null;
        Span<byte> scratch = raw.Length <= 128 ? stackalloc byte[128] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            return Claim(scratch[..Unescape(raw, scratch, reader.TokenStartIndex)], names, ref seen);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Claim(ReadOnlySpan<byte> name, byte[][] names, ref int seen)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (EqualsFolded(name, names[i]))
            {
                var bit = 1 << i;
                if ((seen & bit) != 0)
                {
                    return -1;
                }

                seen |= bit;
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="name"/> equals the lower-case ASCII <paramref name="lower"/> with A-Z folded.</summary>
    private static bool EqualsFolded(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower)
    {
        if (name.Length != lower.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            int b = name[i];
            int c = lower[i];
            // c is a-z, so b | 0x20 == c only for c and its upper case; any other byte must be equal.
            if (b != c && ((b | 0x20) != c || (uint)(c - 'a') > 'z' - 'a'))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendItems(ref Utf8JsonReader reader, scoped ref ValueStringBuilder groups, string prefix)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Skip(ref reader);
            return;
        }

        while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                Skip(ref reader);
                continue;
            }

            groups.Append(prefix);
            AppendDecoded(ref reader, ref groups);
            groups.Append(',');
        }
    }

    private static byte[][] Names(params string[] names) => [.. names.Select(Encoding.ASCII.GetBytes)];

    /// <summary>Handles the value (the current token) of the member at index <paramref name="member"/> of its table.</summary>
    private delegate void MemberHandler(ref Utf8JsonReader reader, Alert alert, int member);

    /// <summary>Reads the object at the current token, handing each first match of <paramref name="names"/> to the handler.</summary>
    private static void ReadObject(ref Utf8JsonReader reader, Alert alert, byte[][] names, MemberHandler handler)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        var seen = 0;
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Claim(ref reader, names, ref seen);
            if (member < 0)
            {
                SkipValue(ref reader);
                continue;
            }

            Next(ref reader);
            handler(ref reader, alert, member);
        }
    }

    /// <summary>The current token's string, or null (skipping the value) when it is not a string, as cJSON_GetStringValue.</summary>
    private static string? StringValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return DecodeString(ref reader);
        }

        Skip(ref reader);
        return null;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        Skip(ref reader);
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Read"/>, then rejects what the reader accepts but cJSON does not, before anything
    /// decodes or compares the token (the reader's own decoding throws on such escapes).
    /// </summary>
    private static bool Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                if (!CJsonStrings.EscapesAreValid(reader.ValueSpan, out var errorIndex))
                {
                    throw Malformed("invalid or unpaired UTF-16 surrogate escape", reader.TokenStartIndex + 1 + errorIndex);
                }

                break;
            case JsonTokenType.Number when reader.ValueSpan.Length > CJsonSyntax.MaxNumberLength:
                throw Malformed("number longer than 63 characters (cJSON cannot parse it)", reader.TokenStartIndex);
        }

        return true;
    }

    /// <summary>Skips the current value, checking every token inside it with <see cref="Next"/>.</summary>
    private static void Skip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.PropertyName)
        {
            Next(ref reader);
        }

        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = reader.CurrentDepth;
        while (Next(ref reader) && !(reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
        }
    }

    private static JsonException Malformed(string reason, long offset) => new(reason, null, 0, offset);

    /// <summary>The integer analysisd would hold: fractions truncated, out-of-range values saturated.</summary>
    private static int ToInt32(ref Utf8JsonReader reader) =>
        reader.TryGetInt32(out var value) ? value : reader.TryGetDouble(out var number) ? (int)number : 0;

    /// <summary>The string cJSON would hand the program, as .NET text: see the remarks on <see cref="AlertParser"/>.</summary>
    private static string DecodeString(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return Encoding.UTF8.GetString(raw);
        }

        byte[]? rented = null;
        Span<byte> scratch = raw.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            return Encoding.UTF8.GetString(scratch[..Unescape(raw, scratch, reader.TokenStartIndex)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void AppendDecoded(ref Utf8JsonReader reader, scoped ref ValueStringBuilder builder)
    {
        var raw = reader.ValueSpan;
        if (raw.Length > 128)
        {
            builder.Append(DecodeString(ref reader));
            return;
        }

        // UTF-8 never decodes to more UTF-16 units than it has bytes, invalid sequences included.
        Span<byte> bytes = stackalloc byte[128];
        Span<char> chars = stackalloc char[128];
        ReadOnlySpan<byte> text = reader.ValueIsEscaped ? bytes[..Unescape(raw, bytes, reader.TokenStartIndex)] : raw;
        builder.Append(chars[..Encoding.UTF8.GetChars(text, chars)]);
    }

    private static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination, long tokenStart)
    {
        // Next has checked the escapes already; this is the decoder's own guard.
        var length = CJsonStrings.Unescape(raw, destination, out var errorIndex);
        return length >= 0 ? length : throw Malformed("invalid or unpaired UTF-16 surrogate escape", tokenStart + 1 + errorIndex);
    }
}
