using System.Net;
using System.Net.Sockets;

namespace Riposte.Matching;

/// <summary>Strict numeric IP parsing, as <c>inet_pton</c> does it (no shorthand IPv4 forms, no zone ids).</summary>
public static class IpText
{
    /// <summary>Parses a dotted-quad IPv4 address into a host-order integer.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        var octets = 0;
        var i = 0;
        while (true)
        {
            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            var start = i;
            uint value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                value = (value * 10) + (uint)(text[i] - '0');
                if (value > 255 || i - start >= 3)
                {
                    return false;
                }

                i++;
            }

            // glibc's inet_pton rejects octets with a leading zero.
            if (i - start > 1 && text[start] == '0')
            {
                return false;
            }

            address = (address << 8) | value;
            octets++;
            if (octets == 4)
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

    /// <summary>True for a numeric IPv6 literal (no brackets, no zone id).</summary>
    public static bool IsIPv6(ReadOnlySpan<char> text) =>
        text.Contains(':') && !text.Contains('%') && !text.Contains('[') &&
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>True for a numeric IPv4 or IPv6 literal (what Wazuh's 4.14.7+ programs accept).</summary>
    public static bool IsNumericIp(ReadOnlySpan<char> text) => TryParseIPv4(text, out _) || IsIPv6(text);
}
