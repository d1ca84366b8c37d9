using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Riposte.Alerts;

/// <summary>Extracts an <see cref="Alert"/>'s fields in one forward pass over its JSON (no DOM).</summary>
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

    /// <summary>Parses one alert object; returns false with a reason when the text is not a JSON object.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, out Alert? alert, out string? error, out long errorOffset)
    {
        alert = null;
        error = null;
        errorOffset = 0;
        var reader = new Utf8JsonReader(json.Span, Options);
        var result = new Alert(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "expected a JSON object";
                return false;
            }

            ReadTop(ref reader, result);
            if (reader.Read())
            {
                error = "unexpected data after the alert object";
                errorOffset = reader.TokenStartIndex;
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            errorOffset = ex.BytePositionInLine ?? reader.BytesConsumed;
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
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("rule"u8))
            {
                reader.Read();
                ReadRule(ref reader, alert);
            }
            else if (reader.ValueTextEquals("agent"u8))
            {
                reader.Read();
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
                reader.Read();
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("srcip"u8)) { a.SrcIp = ReadString(ref r); }
                    else if (r.ValueTextEquals("dstuser"u8)) { a.DstUser = ReadString(ref r); }
                    else if (r.ValueTextEquals("win"u8)) { r.Read(); ReadWin(ref r, a); }
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
                reader.Read();
                ReadObject(ref reader, alert, static (ref Utf8JsonReader r, Alert a) =>
                {
                    if (r.ValueTextEquals("name"u8)) { a.DecoderName = ReadString(ref r); }
                    else { SkipValue(ref r); }
                });
            }
            else if (reader.ValueTextEquals("syscheck"u8))
            {
                reader.Read();
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
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventdata"u8))
            {
                reader.Read();
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
            reader.Skip();
            return;
        }

        var groups = new ValueStringBuilder(256);
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        alert.RuleId = reader.GetString();
                        alert.RuleIdNumber = Config.CNumbers.Atoi(alert.RuleId);
                    }
                    else if (reader.TokenType == JsonTokenType.Number)
                    {
                        alert.RuleIdNumber = reader.TryGetInt32(out var n) ? n : (int)reader.GetDouble();
                        alert.RuleId = alert.RuleIdNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("level"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        alert.RuleLevel = reader.TryGetInt32(out var level) ? level : (int)reader.GetDouble();
                    }
                    else if (reader.TokenType == JsonTokenType.String)
                    {
                        alert.RuleLevel = Config.CNumbers.Atoi(reader.GetString());
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("groups"u8))
                {
                    reader.Read();
                    AppendItems(ref reader, ref groups, "");
                }
                else if (ComplianceIndex(ref reader) is var ci and >= 0)
                {
                    reader.Read();
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
            reader.Skip();
            return;
        }

        Span<char> buffer = stackalloc char[128];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }

            groups.Append(prefix);
            var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length <= buffer.Length)
            {
                var written = reader.CopyString(buffer);
                groups.Append(buffer[..written]);
            }
            else
            {
                groups.Append(reader.GetString());
            }

            groups.Append(',');
        }
    }

    private delegate void MemberHandler(ref Utf8JsonReader reader, Alert alert);

    private static void ReadObject(ref Utf8JsonReader reader, Alert alert, MemberHandler handler)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            handler(ref reader, alert);
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }
}
