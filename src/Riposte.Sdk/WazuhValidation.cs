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
    private static readonly SearchValues<char> s_usernameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");
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

    /// <summary>
    /// Why <paramref name="text"/> is not an address a response may act on, or null when it is: it must be one numeric
    /// literal (see <see cref="GetIpVersion"/>: no shorthand, octal, hex, zone id, prefix or whitespace) naming one unicast
    /// host. The unspecified address, multicast and the limited broadcast are refused in every spelling, IPv4-mapped
    /// included, because tools read them as "any" or a whole group rather than one attacker.
    /// </summary>
    public static string? WhyNotTargetAddress(string? text)
    {
        if (!IsNumericIp(text))
        {
            return "is not a numeric IP address (one IPv4 dotted quad or IPv6 literal: no names, shorthand, octal, zone id, prefix or spaces)";
        }

        var address = IPAddress.Parse(text!);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address (read as \"any\" by firewall tools)";
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return "is the broadcast address";
        }

        var multicast = address.AddressFamily == AddressFamily.InterNetwork
            ? (address.GetAddressBytes()[0] & 0xF0) == 0xE0
            : address.IsIPv6Multicast;
        return multicast ? "is a multicast address" : null;
    }

    /// <summary>True when <see cref="WhyNotTargetAddress"/> accepts <paramref name="text"/>.</summary>
    public static bool IsTargetAddress(string? text) => WhyNotTargetAddress(text) is null;

    /// <summary>
    /// Riposte's user-name rule, a superset of <see cref="IsValidUsername"/>'s refusals: besides Wazuh's rule, only
    /// ASCII letters, digits, <c>.</c> <c>_</c> <c>-</c> <c>@</c> (domain users), and one <c>$</c> as the last character
    /// (Samba machine accounts), and not <c>.</c> alone. So no shell metacharacter (<c>;</c> <c>|</c> <c>&amp;</c>
    /// <c>$(</c> backtick quotes globs redirections), control character or non-ASCII letter ever reaches a program.
    /// Deliberately stricter than Wazuh, which accepts <c>test$user</c>, <c>a;b</c> or <c>$(id)</c>.
    /// </summary>
    /// <param name="name">The user name.</param>
    /// <param name="allowRoot">
    /// True for programs that do not act on accounts but may see the alert's user (a custom program): <c>root</c> is then
    /// a user name like any other, not a refusal.
    /// </param>
    /// <returns>Why the name is refused, or null.</returns>
    public static string? WhyNotAcceptedUsername(string? name, bool allowRoot = false)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is empty";
        }

        if (name == "root" && !allowRoot)
        {
            return "is root (never acted on)";
        }

        var body = name.EndsWith('$') ? name.AsSpan(0, name.Length - 1) : name.AsSpan();
        if (body.IsEmpty || body.ContainsAnyExcept(s_usernameCharacters))
        {
            return "has characters outside letters, digits, . _ - @ and one final $";
        }

        if (name[0] is '-' or '+' or '~' || name == "." || name.Contains("..", StringComparison.Ordinal))
        {
            return "starts with - + or ~, is ., or contains ..";
        }

        if (name.Length > MaxUsernameBytes)
        {
            return $"is longer than {MaxUsernameBytes} bytes";
        }

        // Everything left is ASCII, so Wazuh's own rule (root aside) is implied; checked anyway so the two cannot drift.
        return name == "root" || IsValidUsername(name) ? null : "is refused by Wazuh's is_valid_username";
    }

    /// <summary>True when <see cref="WhyNotAcceptedUsername"/> accepts <paramref name="name"/> (root refused).</summary>
    public static bool IsAcceptedUsername(string? name) => WhyNotAcceptedUsername(name) is null;

    /// <summary>Strict dotted-quad IPv4 (four decimal octets 0–255, no leading zeros), as <c>inet_pton</c> reads it.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out uint address)
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
    public static bool IsIPv6(ReadOnlySpan<char> text) =>
        text.Contains(':') &&
        !text.ContainsAnyExcept(s_ipv6Characters) &&
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;
}
