using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Riposte.Config.Settings;

/// <summary>Parsing of IP addresses and allow-list entries (address or CIDR network) for <c>riposte.json</c>.</summary>
internal static class NetworkSyntax
{
    /// <summary>True when the text is only digits and dots, i.e. meant as an IPv4 address rather than a host name.</summary>
    public static bool LooksLikeIPv4(string text) => text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.');

    /// <summary>Parses an IPv4 address in dotted-quad form or an IPv6 address without zone.</summary>
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (text.Contains('%', StringComparison.Ordinal))
        {
            error = $"\"{text}\": zone indexes (%...) are not allowed here";
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            // IPAddress.TryParse also takes brackets and zones; only plain hex-colon (with an optional embedded IPv4) is accepted
            if (!text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                || !IPAddress.TryParse(text, out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                address = null;
                error = $"\"{text}\" is not an IPv6 address";
                return false;
            }

            error = null;
            return true;
        }

        // IPAddress.TryParse follows inet_aton: "10.1" is 10.0.0.1 and "010.0.0.1" is octal 8.0.0.1. In an allow-list
        // such shorthand silently covers a different host, so only four plain decimal parts are accepted.
        var parts = text.Split('.');
        if (parts.Length != 4 || !parts.All(IsDecimalOctet))
        {
            error = parts.Length == 4
                && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit))
                && parts.Any(p => p.Length > 1 && p[0] == '0')
                ? $"\"{text}\": leading zeros are ambiguous (some tools read them as octal); write the address without them"
                : $"\"{text}\" is not an IP address";
            return false;
        }

        address = IPAddress.Parse(text);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses an allow-list entry: an address (a /32 or /128 network) or a CIDR network. A network with host bits
    /// set is accepted, normalised, with a warning.
    /// </summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out string? warning, [NotNullWhen(false)] out string? error)
    {
        network = default;
        warning = null;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address, out error))
        {
            if (slash < 0 && !LooksLikeIPv4(text) && !text.Contains(':', StringComparison.Ordinal))
            {
                error = $"\"{text}\" is not an IP address or CIDR network (host names and patterns belong in Wazuh's <white_list>)";
            }

            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0)
        {
            network = new IPNetwork(address, maxPrefix);
            return true;
        }

        string prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > maxPrefix)
        {
            error = $"\"{text}\": the prefix length must be 0 to {maxPrefix}";
            return false;
        }

        // IPNetwork.TryParse masks host bits silently, so they are compared here: "10.0.0.1/8" may be a typo for
        // 10.0.0.1/32, and the user should see what the entry was taken to mean
        if (!IPNetwork.TryParse(text, out network))
        {
            network = new IPNetwork(Mask(address, prefix), prefix);
        }

        if (!network.BaseAddress.Equals(address))
        {
            warning = $"\"{text}\" has host bits set; normalised to {network}";
        }

        if (prefix == 0)
        {
            warning = (warning is null ? "" : warning + "; ")
                + $"\"{text}\" covers every {(maxPrefix == 32 ? "IPv4" : "IPv6")} address, so nothing in that family will be blocked";
        }

        return true;
    }

    private static bool IsDecimalOctet(string part) =>
        part.Length is >= 1 and <= 3
        && part.All(char.IsAsciiDigit)
        && (part.Length == 1 || part[0] != '0')
        && int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) <= 255;

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bitsKept = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsKept));
        }

        return new IPAddress(bytes);
    }
}
