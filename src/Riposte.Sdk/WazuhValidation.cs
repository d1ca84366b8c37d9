using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Riposte.Sdk;

/// <summary>
/// The input rules of Wazuh's helper library (4.14.7+): what counts as a source IP and as an account name that a
/// response may act on. Programs refuse anything else before touching the system.
/// </summary>
public static class WazuhValidation
{
    /// <summary>The longest account name <c>is_valid_username</c> accepts, in bytes.</summary>
    public const int MaxUsernameBytes = 256;

    private static readonly SearchValues<char> s_forbiddenInUsername = SearchValues.Create(":, \t\r\n/\\");
    private static readonly SearchValues<char> s_ipv6Characters = SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// <c>get_ip_version</c>: 4 or 6 for a numeric IP literal, null otherwise. Stricter than glibc's
    /// <c>getaddrinfo(AI_NUMERICHOST)</c> in one respect, on purpose: the shorthand IPv4 forms it inherits from
    /// <c>inet_aton</c> (<c>10.1</c>, <c>0x7f.1</c>, octal <c>010.0.0.1</c>) and IPv6 zone ids are refused, because
    /// firewall tools read them differently (the same rule as <c>inet_pton</c>, and as Riposte's engine).
    /// </summary>
    public static int? GetIpVersion(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (TryParseIPv4(text, out _))
        {
            return 4;
        }

        return IsIPv6(text) ? 6 : null;
    }

    /// <summary>True for a numeric IPv4 or IPv6 literal (see <see cref="GetIpVersion"/>).</summary>
    public static bool IsNumericIp(string? text) => GetIpVersion(text) is not null;

    /// <summary>
    /// <c>is_valid_username</c>: non-empty, at most 256 bytes, not <c>root</c>, not starting with <c>-</c>, <c>+</c> or
    /// <c>~</c>, and without <c>:</c> <c>,</c> space, tab, CR, LF, <c>/</c>, <c>\</c> or <c>..</c>.
    /// </summary>
    public static bool IsValidUsername(string? name)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) > MaxUsernameBytes || name == "root")
        {
            return false;
        }

        if (name[0] is '-' or '+' or '~')
        {
            return false;
        }

        return name.AsSpan().IndexOfAny(s_forbiddenInUsername) < 0 && !name.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>Strict dotted-quad IPv4 (four decimal octets 0–255, no leading zeros).</summary>
    internal static bool TryParseIPv4(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        var octets = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            uint value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                value = (value * 10) + (uint)(text[i] - '0');
                i++;
            }

            // A fourth digit, no digit at all, a value above 255 or a leading zero (octal to inet_aton) all fail.
            if (i == start || value > 255 || (i - start > 1 && text[start] == '0') || (i < text.Length && char.IsAsciiDigit(text[i])))
            {
                return false;
            }

            address = (address << 8) | value;
            if (++octets == 4)
            {
                return i == text.Length;
            }

            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }
    }

    /// <summary>A numeric IPv6 literal: hex digits, colons and an optional embedded IPv4 tail; no brackets, zone or prefix.</summary>
    internal static bool IsIPv6(ReadOnlySpan<char> text) =>
        text.Contains(':') &&
        !text.ContainsAnyExcept(s_ipv6Characters) &&
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;
}
