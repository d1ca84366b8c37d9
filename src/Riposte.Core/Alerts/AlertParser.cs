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
/// </remarks>
public static class AlertParser
{
    // Compliance arrays analysisd splits out of the rule's group string, with the prefix each item had there.
    private static readonly (byte[] Key, string Prefix)[] Compliance =
    [
        ("pci_dss"u8.ToArray(), "pci_dss_"),
        ("gpg13"u8.ToArray(), "gpg13_"),
        ("gdpr"u8.ToArray(), "gdpr_"),
        ("hipaa"u8.ToArray(), "hipaa_"),
        ("nist_800_53"u8.ToArray(), "nist_800_53_"),
        ("tsc"u8.ToArray(), "tsc_"),
        ("cis"u8.ToArray(), "cis_"),
    ];

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
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("rule"u8))
            {
                Next(ref reader);
                ReadRule(ref reader, alert);
            }
            else if (reader.ValueTextEquals("agent"u8))
            {
                Next(ref reader);
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("id"u8)) { a.AgentId = ReadString(ref r); }
                    else if (r.ValueTextEquals("name"u8)) { a.AgentName = ReadString(ref r); }
                    else if (r.ValueTextEquals("ip"u8)) { a.AgentIp = ReadString(ref r); }
                    else { SkipValue(ref r); }
                });
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                Next(ref reader);
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("srcip"u8)) { a.SrcIp = ReadString(ref r); }
                    else if (r.ValueTextEquals("dstuser"u8)) { a.DstUser = ReadString(ref r); }
                    else if (r.ValueTextEquals("win"u8)) { Next(ref r); ReadWin(ref r, a); }
                    else { SkipValue(ref r); }
                });
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                alert.Id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("location"u8))
            {
                alert.Location = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("decoder"u8))
            {
                Next(ref reader);
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("name"u8)) { a.DecoderName = ReadString(ref r); }
                    else { SkipValue(ref r); }
                });
            }
            else if (reader.ValueTextEquals("syscheck"u8))
            {
                Next(ref reader);
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("path"u8)) { a.SyscheckPath = ReadString(ref r); }
                    else { SkipValue(ref r); }
                });
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static void ReadWin(ref Utf8JsonReader reader, Alert alert)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventdata"u8))
            {
                Next(ref reader);
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("ipAddress"u8)) { a.WinIpAddress = ReadString(ref r); }
                    else { SkipValue(ref r); }
                });
            }
            else
            {
                SkipValue(ref reader);
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
            while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        alert.RuleId = DecodeString(ref reader);
                        alert.RuleIdNumber = Config.CNumbers.Atoi(alert.RuleId);
                    }
                    else if (reader.TokenType == JsonTokenType.Number)
                    {
                        alert.RuleIdNumber = ToInt32(ref reader);
                        alert.RuleId = alert.RuleIdNumber.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        Skip(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("level"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        alert.RuleLevel = ToInt32(ref reader);
                    }
                    else if (reader.TokenType == JsonTokenType.String)
                    {
                        alert.RuleLevel = Config.CNumbers.Atoi(DecodeString(ref reader));
                    }
                    else
                    {
                        Skip(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("groups"u8))
                {
                    Next(ref reader);
                    AppendItems(ref reader, ref groups, "");
                }
                else if (ComplianceIndex(ref reader) is var ci and >= 0)
                {
                    Next(ref reader);
                    AppendItems(ref reader, ref groups, Compliance[ci].Prefix);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            alert.GroupString = groups.Length == 0 ? "" : groups.ToString();
        }
        finally
        {
            groups.Dispose();
        }
    }

    private static int ComplianceIndex(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < Compliance.Length; i++)
        {
            if (reader.ValueTextEquals(Compliance[i].Key))
            {
                return i;
            }
        }

        return -1;
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

    private delegate void MemberHandler(ref Utf8JsonReader reader, Alert alert);

    private static void ReadObject(ref Utf8JsonReader reader, Alert alert, MemberHandler handler)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            handler(ref reader, alert);
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        Next(ref reader);
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
