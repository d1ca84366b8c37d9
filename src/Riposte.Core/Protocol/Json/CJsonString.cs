using System.Text;

namespace Riposte.Protocol.Json;

/// <summary>A JSON string, held as the UTF-8 bytes cJSON would hold.</summary>
/// <remarks>
/// The bytes end at the first NUL, as in cJSON where a string is a C string (<c>"a\u0000b"</c> is
/// <c>"a"</c>). Bytes are kept as parsed, so invalid UTF-8 in the input is printed back unchanged.
/// </remarks>
public sealed class CJsonString : CJsonNode
{
    private readonly byte[] _utf8;
    private string? _value;

    /// <summary>Creates a string node; the value is cut at its first NUL character.</summary>
    /// <param name="value">The string; lone surrogates are encoded as U+FFFD.</param>
    public CJsonString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int nul = value.IndexOf('\0', StringComparison.Ordinal);
        _utf8 = Encoding.UTF8.GetBytes(nul < 0 ? value : value[..nul]);
    }

    internal CJsonString(byte[] cString) => _utf8 = cString;

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.String;

    /// <summary>The value decoded from UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Value => _value ??= Encoding.UTF8.GetString(_utf8);

    /// <summary>The value as the exact bytes that are printed (before escaping).</summary>
    public ReadOnlyMemory<byte> Utf8Value => _utf8;

    /// <summary>Creates a string node from UTF-8 bytes, cut at the first NUL.</summary>
    /// <param name="utf8">The bytes; not validated, as cJSON does not validate them.</param>
    /// <returns>The node.</returns>
    public static CJsonString FromUtf8(ReadOnlySpan<byte> utf8) =>
        new(utf8[..CJsonStrings.CStringLength(utf8)].ToArray());

    internal override void WriteCore(ref CJsonOutput output) => CJsonStrings.WriteQuoted(ref output, _utf8);
}
