using System.Buffers;
using System.Text.Json;

namespace Riposte.Protocol.Json;

/// <summary>
/// Streaming transcoder from any JSON text to the exact bytes cJSON's
/// <c>cJSON_PrintUnformatted(cJSON_Parse(text))</c> produces, without building a tree.
/// </summary>
/// <remarks>
/// <para>
/// Output rules: no whitespace; members and duplicate keys kept in input order; strings escape only
/// <c>"</c>, <c>\</c> and bytes below 0x20 (<c>\b \f \n \r \t</c> or lower-case <c>\u00xx</c>), every
/// other byte (including <c>/</c> and non-ASCII) is raw, <c>\uXXXX</c> escapes are decoded to UTF-8,
/// and a decoded <c>\u0000</c> ends the string (cJSON strings are C strings); numbers are re-printed by
/// <see cref="CJsonNumberFormatter"/> from the double <c>strtod</c> yields.
/// </para>
/// <para>
/// Accepted input is RFC 8259 JSON, plus a leading UTF-8 BOM. Rejected, as cJSON rejects them: nesting
/// deeper than 1000, unpaired surrogate escapes, and numbers longer than 63 characters inside a
/// container. Rejected although cJSON would accept them, because they are not JSON: raw control
/// characters in strings, non-JSON whitespace, trailing data after the value, and cJSON's lenient
/// number forms (<c>01</c>, <c>1.</c>). Like cJSON, string bytes are not checked for UTF-8 validity.
/// </para>
/// </remarks>
public static class CJsonCanonicalizer
{
    /// <summary>
    /// Writes the cJSON canonical form of <paramref name="json"/> to <paramref name="output"/>.
    /// </summary>
    /// <param name="json">UTF-8 JSON text.</param>
    /// <param name="output">Receives the canonical bytes. On failure it may hold a partial result.</param>
    /// <param name="error">On failure, the reason and byte offset; otherwise null.</param>
    /// <returns>True if the input was valid and fully written.</returns>
    public static bool TryCanonicalize(ReadOnlySpan<byte> json, IBufferWriter<byte> output, out string? error)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new CJsonOutput(output, json.Length + 16);
        bool ok = TryWrite(json, ref writer, out error, out _);
        writer.Flush();
        return ok;
    }

    /// <summary>Returns the cJSON canonical form of <paramref name="json"/>.</summary>
    /// <param name="json">UTF-8 JSON text.</param>
    /// <returns>The canonical bytes.</returns>
    /// <exception cref="CJsonParseException">The input is not valid JSON or cJSON would reject it.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> json)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length + 16);
        var writer = new CJsonOutput(buffer, json.Length + 16);
        bool ok = TryWrite(json, ref writer, out string? error, out long offset);
        writer.Flush();
        if (!ok)
        {
            throw new CJsonParseException(error!, offset);
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static bool TryWrite(ReadOnlySpan<byte> json, ref CJsonOutput output, out string? error, out long errorOffset)
    {
        int bom = CJsonSyntax.BomLength(json);
        ReadOnlySpan<byte> body = json[bom..];
        var reader = new Utf8JsonReader(body, CJsonSyntax.ReaderOptions);

        // Whether the next value needs a separating comma: set after any complete value, cleared
        // after an opening bracket or a member name.
        bool comma = false;
        try
        {
            while (reader.Read())
            {
                Span<byte> span;
                int w;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        span = output.GetSpan(2);
                        w = 0;
                        if (comma)
                        {
                            span[w++] = (byte)',';
                        }

                        span[w++] = reader.TokenType == JsonTokenType.StartObject ? (byte)'{' : (byte)'[';
                        output.Advance(w);
                        comma = false;
                        break;

                    case JsonTokenType.EndObject:
                        output.WriteByte((byte)'}');
                        comma = true;
                        break;

                    case JsonTokenType.EndArray:
                        output.WriteByte((byte)']');
                        comma = true;
                        break;

                    case JsonTokenType.PropertyName:
                    case JsonTokenType.String:
                    {
                        bool isName = reader.TokenType == JsonTokenType.PropertyName;
                        ReadOnlySpan<byte> raw = reader.ValueSpan;

                        // Decoding never lengthens a string, so this reservation always suffices.
                        span = output.GetSpan(raw.Length + 4);
                        w = 0;
                        if (comma)
                        {
                            span[w++] = (byte)',';
                        }

                        span[w++] = (byte)'"';
                        if (!reader.ValueIsEscaped)
                        {
                            // Valid JSON has no raw control characters, quotes or backslashes
                            // inside a string, so unescaped content is already in printed form.
                            raw.CopyTo(span[w..]);
                            w += raw.Length;
                        }
                        else
                        {
                            int n = CJsonStrings.TranscodeEscaped(raw, span[w..], out int errorIndex);
                            if (n < 0)
                            {
                                errorOffset = bom + reader.TokenStartIndex + 1 + errorIndex;
                                error = CJsonSyntax.FormatError("invalid or unpaired UTF-16 surrogate escape.", errorOffset);
                                return false;
                            }

                            w += n;
                        }

                        span[w++] = (byte)'"';
                        if (isName)
                        {
                            span[w++] = (byte)':';
                        }

                        output.Advance(w);
                        comma = !isName;
                        break;
                    }

                    case JsonTokenType.Number:
                    {
                        ReadOnlySpan<byte> raw = reader.ValueSpan;
                        span = output.GetSpan(Math.Max(raw.Length, CJsonNumberFormatter.BufferSize) + 1);
                        w = 0;
                        if (comma)
                        {
                            span[w++] = (byte)',';
                        }

                        int n = CJsonSyntax.WriteNumber(raw, reader.CurrentDepth == 0, span[w..]);
                        if (n < 0)
                        {
                            errorOffset = bom + reader.TokenStartIndex + CJsonSyntax.MaxNumberLength;
                            error = CJsonSyntax.FormatError("number longer than 63 characters (cJSON leaves the rest unparsed).", errorOffset);
                            return false;
                        }

                        output.Advance(w + n);
                        comma = true;
                        break;
                    }

                    case JsonTokenType.True:
                        WriteLiteral(ref output, comma, "true"u8);
                        comma = true;
                        break;

                    case JsonTokenType.False:
                        WriteLiteral(ref output, comma, "false"u8);
                        comma = true;
                        break;

                    case JsonTokenType.Null:
                        WriteLiteral(ref output, comma, "null"u8);
                        comma = true;
                        break;

                    default:
                        errorOffset = bom + reader.TokenStartIndex;
                        error = CJsonSyntax.FormatError($"unexpected token {reader.TokenType}.", errorOffset);
                        return false;
                }
            }
        }
        catch (JsonException exception)
        {
            errorOffset = bom + CJsonSyntax.ErrorOffset(body, exception);
            error = CJsonSyntax.FormatError(CJsonSyntax.ReaderMessage(exception), errorOffset);
            return false;
        }

        error = null;
        errorOffset = -1;
        return true;
    }

    private static void WriteLiteral(ref CJsonOutput output, bool comma, ReadOnlySpan<byte> literal)
    {
        Span<byte> span = output.GetSpan(literal.Length + 1);
        int w = 0;
        if (comma)
        {
            span[w++] = (byte)',';
        }

        literal.CopyTo(span[w..]);
        output.Advance(w + literal.Length);
    }
}
