using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Riposte.Matching;

namespace Riposte.Backends;

/// <summary>
/// An IPv4 or IPv6 address, network (CIDR) or address range in one canonical text form, so that the same block
/// always has the same key whatever its spelling and whichever kernel listing it comes back from:
/// <list type="bullet">
/// <item>a single address is written without a prefix (<c>1.2.3.4/32</c> → <c>1.2.3.4</c>, <c>2001:db8::1/128</c> → <c>2001:db8::1</c>);</item>
/// <item>IPv6 is compressed and lower case (RFC 5952), IPv4-mapped IPv6 (<c>::ffff:1.2.3.4</c>) is the IPv4 address;</item>
/// <item>host bits below the prefix are cleared (<c>10.1.2.3/8</c> → <c>10.0.0.0/8</c>);</item>
/// <item>a range that is exactly one network is written as that network (<c>10.0.0.0-10.255.255.255</c> → <c>10.0.0.0/8</c>),
/// as nft lists it; other ranges are <c>FIRST-LAST</c>.</item>
/// </list>
/// A whole address family (<c>/0</c>) is refused: it would cut the host off, and no response means that.
/// </summary>
public sealed record BlockTarget
{
    private static readonly UInt128 V4Max = uint.MaxValue;

    private BlockTarget(bool isIPv6, UInt128 first, UInt128 last)
    {
        IsIPv6 = isIPv6;
        First = first;
        Last = last;
        PrefixLength = PrefixOf(isIPv6, first, last);
        Value = Render(isIPv6, first, last, PrefixLength);
    }

    /// <summary>The canonical text (see the type's description).</summary>
    public string Value { get; }

    /// <summary>True for an IPv6 target (IPv4-mapped addresses are IPv4).</summary>
    public bool IsIPv6 { get; }

    /// <summary>The prefix length when the target is one network (32 or 128 for a single address), otherwise -1 (a range).</summary>
    public int PrefixLength { get; }

    /// <summary>True for one address.</summary>
    public bool IsSingleAddress => First == Last;

    /// <summary>True when the target is a range that is not a single network (only nft sets can hold those).</summary>
    public bool IsRange => PrefixLength < 0;

    /// <summary>The first address, as a number (IPv4 in the low 32 bits).</summary>
    internal UInt128 First { get; }

    /// <summary>The last address, as a number (IPv4 in the low 32 bits).</summary>
    internal UInt128 Last { get; }

    /// <summary>The largest address of the family, as a number.</summary>
    internal UInt128 FamilyMax => IsIPv6 ? UInt128.MaxValue : V4Max;

    /// <summary>The first address.</summary>
    public IPAddress FirstAddress => ToAddress(IsIPv6, First);

    /// <summary>The last address.</summary>
    public IPAddress LastAddress => ToAddress(IsIPv6, Last);

    /// <summary>Parses an address, <c>ADDRESS/PREFIX</c> or <c>FIRST-LAST</c>.</summary>
    /// <exception cref="FormatException">Not a valid target; the message says why.</exception>
    public static BlockTarget Parse(string text) =>
        TryParse(text, out var target, out var error) ? target : throw new FormatException($"'{text}' is not a blockable address: {error}");

    /// <summary>Parses an address, <c>ADDRESS/PREFIX</c> or <c>FIRST-LAST</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out BlockTarget? target) => TryParse(text, out target, out _);

    /// <summary>Parses an address, <c>ADDRESS/PREFIX</c> or <c>FIRST-LAST</c>; <paramref name="error"/> says why not.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out BlockTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty";
            return false;
        }

        var span = text.AsSpan();
        var dash = span.IndexOf('-');
        if (dash >= 0)
        {
            if (!TryParseAddress(span[..dash], out var v6a, out var a) || !TryParseAddress(span[(dash + 1)..], out var v6b, out var b))
            {
                error = "a range needs two numeric addresses";
                return false;
            }

            if (v6a != v6b)
            {
                error = "a range cannot mix IPv4 and IPv6";
                return false;
            }

            if (a > b)
            {
                error = "the range ends before it starts";
                return false;
            }

            return Create(v6a, a, b, out target, out error);
        }

        var slash = span.IndexOf('/');
        if (slash < 0)
        {
            if (!TryParseAddress(span, out var v6, out var value))
            {
                error = "not a numeric IPv4 or IPv6 address";
                return false;
            }

            return Create(v6, value, value, out target, out error);
        }

        var prefixText = span[(slash + 1)..];
        if (prefixText.Length is 0 or > 3 || !IsAsciiDigits(prefixText) ||
            !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            error = "the prefix length must be a number";
            return false;
        }

        if (!TryParseAddress(span[..slash], out var isV6, out var address, out var mapped))
        {
            error = "not a numeric IPv4 or IPv6 network";
            return false;
        }

        if (mapped)
        {
            // ::ffff:a.b.c.d/P is the IPv4 network a.b.c.d/(P-96); a shorter prefix reaches beyond the mapped space.
            if (prefix < 96)
            {
                error = "an IPv4-mapped network needs a prefix of at least 96";
                return false;
            }

            prefix -= 96;
        }

        var bits = isV6 ? 128 : 32;
        if (prefix > bits)
        {
            error = $"the prefix length must be at most {bits}";
            return false;
        }

        var hostMask = prefix == 0 ? (isV6 ? UInt128.MaxValue : V4Max) : ((UInt128.One << (bits - prefix)) - 1);
        var first = address & ~hostMask & (isV6 ? UInt128.MaxValue : V4Max);
        return Create(isV6, first, first | hostMask, out target, out error);
    }

    /// <summary>The canonical text of <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not a valid target.</exception>
    public static string Normalize(string text) => Parse(text).Value;

    /// <summary>True when every address of <paramref name="other"/> is in this target.</summary>
    public bool Contains(BlockTarget other) => other.IsIPv6 == IsIPv6 && First <= other.First && other.Last <= Last;

    /// <summary>True when this target and <paramref name="other"/> share at least one address.</summary>
    public bool Overlaps(BlockTarget other) => other.IsIPv6 == IsIPv6 && First <= other.Last && other.First <= Last;

    /// <inheritdoc/>
    public override string ToString() => Value;

    /// <summary>The target covering <paramref name="first"/>..<paramref name="last"/> (numbers as in <see cref="First"/>).</summary>
    internal static BlockTarget FromRange(bool isIPv6, UInt128 first, UInt128 last) =>
        Create(isIPv6, first, last, out var target, out var error) ? target : throw new ArgumentException(error);

    /// <summary>The address bytes of <paramref name="value"/> in network order (4 or 16 bytes).</summary>
    internal static byte[] ToBytes(bool isIPv6, UInt128 value)
    {
        if (!isIPv6)
        {
            var v4 = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return v4;
        }

        var v6 = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return v6;
    }

    private static bool Create(bool isIPv6, UInt128 first, UInt128 last, [NotNullWhen(true)] out BlockTarget? target, [NotNullWhen(false)] out string? error)
    {
        if (first == 0 && last == (isIPv6 ? UInt128.MaxValue : V4Max))
        {
            target = null;
            error = "it covers every address of the family";
            return false;
        }

        target = new BlockTarget(isIPv6, first, last);
        error = null;
        return true;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> text, out bool isIPv6, out UInt128 value) => TryParseAddress(text, out isIPv6, out value, out _);

    private static bool TryParseAddress(ReadOnlySpan<char> text, out bool isIPv6, out UInt128 value, out bool mapped)
    {
        isIPv6 = false;
        value = 0;
        mapped = false;
        if (IpText.TryParseIPv4(text, out var v4))
        {
            value = v4;
            return true;
        }

        if (!IpText.IsIPv6(text))
        {
            return false;
        }

        var bytes = IPAddress.Parse(text).GetAddressBytes();
        var number = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        if (number >> 32 == 0xFFFF)
        {
            // An IPv4-mapped address is how a dual-stack socket shows an IPv4 peer: the packets are IPv4.
            mapped = true;
            value = number & V4Max;
            return true;
        }

        isIPv6 = true;
        value = number;
        return true;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int PrefixOf(bool isIPv6, UInt128 first, UInt128 last)
    {
        var size = last - first + 1; // cannot overflow: the whole family is refused
        if (!UInt128.IsPow2(size) || (first & (size - 1)) != 0)
        {
            return -1;
        }

        return (isIPv6 ? 128 : 32) - (int)UInt128.Log2(size);
    }

    private static string Render(bool isIPv6, UInt128 first, UInt128 last, int prefix)
    {
        var bits = isIPv6 ? 128 : 32;
        if (prefix == bits)
        {
            return ToAddress(isIPv6, first).ToString();
        }

        return prefix >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{ToAddress(isIPv6, first)}/{prefix}")
            : string.Create(CultureInfo.InvariantCulture, $"{ToAddress(isIPv6, first)}-{ToAddress(isIPv6, last)}");
    }

    private static IPAddress ToAddress(bool isIPv6, UInt128 value) => new(ToBytes(isIPv6, value));
}
