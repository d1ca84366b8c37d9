using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Riposte.Protocol.Json;

/// <summary>
/// A node of an ordered, mutable JSON tree with cJSON semantics: object members keep their order,
/// duplicate names are kept, name lookups are ASCII case-insensitive and return the first match,
/// and printing produces the exact bytes of <c>cJSON_PrintUnformatted</c>.
/// </summary>
/// <remarks>
/// Parsing accepts exactly what <see cref="CJsonCanonicalizer"/> accepts, and for any such input
/// <c>Parse(json).ToUtf8Bytes()</c> equals the canonicalizer's output.
/// </remarks>
public abstract class CJsonNode
{
    private protected CJsonNode()
    {
    }

    /// <summary>The kind of this node.</summary>
    public abstract CJsonNodeKind Kind { get; }

    /// <summary>Parses UTF-8 JSON text into a tree.</summary>
    /// <param name="utf8Json">The text.</param>
    /// <returns>The root node.</returns>
    /// <exception cref="CJsonParseException">The text is not JSON that cJSON would parse; carries the byte offset.</exception>
    public static CJsonNode Parse(ReadOnlySpan<byte> utf8Json)
    {
        CJsonNode? node = ParseCore(utf8Json, out string? error, out long offset);
        return node ?? throw new CJsonParseException(error!, offset);
    }

    /// <summary>Parses JSON text into a tree.</summary>
    /// <param name="json">The text.</param>
    /// <returns>The root node.</returns>
    /// <exception cref="CJsonParseException">The text is not JSON that cJSON would parse; carries the UTF-8 byte offset.</exception>
    public static CJsonNode Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Parses UTF-8 JSON text into a tree, without throwing on invalid input.</summary>
    /// <param name="utf8Json">The text.</param>
    /// <param name="node">The root node, or null on failure.</param>
    /// <returns>True if the text was parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out CJsonNode? node)
    {
        node = ParseCore(utf8Json, out _, out _);
        return node is not null;
    }

    /// <summary>Parses UTF-8 JSON text into a tree, without throwing on invalid input.</summary>
    /// <param name="utf8Json">The text.</param>
    /// <param name="node">The root node, or null on failure.</param>
    /// <param name="error">On failure, the reason and byte offset; otherwise null.</param>
    /// <returns>True if the text was parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out CJsonNode? node, out string? error)
    {
        node = ParseCore(utf8Json, out error, out _);
        return node is not null;
    }

    /// <summary>Writes the compact cJSON text of this node.</summary>
    /// <param name="output">Receives the UTF-8 bytes.</param>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new CJsonOutput(output, 256);
        WriteCore(ref writer);
        writer.Flush();
    }

    /// <summary>Returns the compact cJSON text of this node as UTF-8 bytes.</summary>
    /// <returns>The bytes <c>cJSON_PrintUnformatted</c> would produce.</returns>
    public byte[] ToUtf8Bytes()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Returns the compact cJSON text of this node.</summary>
    /// <returns>The text; any invalid UTF-8 carried through from the input is replaced by U+FFFD.</returns>
    public string ToJsonString()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc/>
    public override string ToString() => ToJsonString();

    internal abstract void WriteCore(ref CJsonOutput output);

    private static CJsonNode? ParseCore(ReadOnlySpan<byte> json, out string? error, out long errorOffset)
    {
        int bom = CJsonSyntax.BomLength(json);
        ReadOnlySpan<byte> body = json[bom..];
        var reader = new Utf8JsonReader(body, CJsonSyntax.ReaderOptions);

        // Explicit stack rather than recursion: nesting may legitimately reach 1000 levels.
        var containers = new List<CJsonNode>();
        CJsonNode? root = null;
        byte[]? pendingName = null;
        try
        {
            while (reader.Read())
            {
                CJsonNode value;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        value = new CJsonObject();
                        break;
                    case JsonTokenType.StartArray:
                        value = new CJsonArray();
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        containers.RemoveAt(containers.Count - 1);
                        continue;
                    case JsonTokenType.PropertyName:
                    case JsonTokenType.String:
                        byte[]? text = DecodeString(ref reader, out int errorIndex);
                        if (text is null)
                        {
                            errorOffset = bom + reader.TokenStartIndex + 1 + errorIndex;
                            error = CJsonSyntax.FormatError("invalid or unpaired UTF-16 surrogate escape.", errorOffset);
                            return null;
                        }

                        if (reader.TokenType == JsonTokenType.PropertyName)
                        {
                            pendingName = text;
                            continue;
                        }

                        value = new CJsonString(text);
                        break;
                    case JsonTokenType.Number:
                        if (!CJsonSyntax.TryParseNumber(reader.ValueSpan, reader.CurrentDepth == 0, out double number))
                        {
                            errorOffset = bom + reader.TokenStartIndex + CJsonSyntax.MaxNumberLength;
                            error = CJsonSyntax.FormatError("number longer than 63 characters (cJSON leaves the rest unparsed).", errorOffset);
                            return null;
                        }

                        value = new CJsonNumber(number);
                        break;
                    case JsonTokenType.True:
                        value = CJsonBool.True;
                        break;
                    case JsonTokenType.False:
                        value = CJsonBool.False;
                        break;
                    case JsonTokenType.Null:
                        value = CJsonNull.Instance;
                        break;
                    default:
                        errorOffset = bom + reader.TokenStartIndex;
                        error = CJsonSyntax.FormatError($"unexpected token {reader.TokenType}.", errorOffset);
                        return null;
                }

                if (containers.Count == 0)
                {
                    root = value;
                }
                else if (containers[^1] is CJsonObject parent)
                {
                    parent.AddUtf8(pendingName!, value);
                    pendingName = null;
                }
                else
                {
                    ((CJsonArray)containers[^1]).Add(value);
                }

                if (value.Kind is CJsonNodeKind.Object or CJsonNodeKind.Array)
                {
                    containers.Add(value);
                }
            }
        }
        catch (JsonException exception)
        {
            errorOffset = bom + CJsonSyntax.ErrorOffset(body, exception);
            error = CJsonSyntax.FormatError(CJsonSyntax.ReaderMessage(exception), errorOffset);
            return null;
        }

        error = null;
        errorOffset = -1;
        return root;
    }

    private static byte[]? DecodeString(ref Utf8JsonReader reader, out int errorIndex)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            errorIndex = -1;
            return raw.ToArray();
        }

        byte[]? rented = null;
        Span<byte> scratch = raw.Length <= 256
            ? stackalloc byte[256]
            : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int length = CJsonStrings.Unescape(raw, scratch, out errorIndex);
            return length < 0 ? null : scratch[..length].ToArray();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
