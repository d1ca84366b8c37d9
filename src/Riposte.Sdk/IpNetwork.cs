using System.Globalization;
using System.Net;

namespace Riposte.Sdk;

/// <summary>
/// A numeric IP address or CIDR network (<c>203.0.113.7</c>, <c>198.51.100.0/24</c>, <c>2001:db8::/48</c>), for
/// set-based programs whose kernel objects hold prefixes. Host bits after the prefix are cleared. Very wide
/// prefixes (shorter than /8 for IPv4, /16 for IPv6) are refused: one such key would cut the host off.
/// </summary>
public readonly record struct IpNetwork
{
    /// <summary>The shortest IPv4 prefix accepted.</summary>
    public const int MinIPv4Prefix = 8;

    /// <summary>The shortest IPv6 prefix accepted.</summary>
    public const int MinIPv6Prefix = 16;

    private IpNetwork(IPAddress address, int prefixLength, int version)
    {
        Address = address;
        PrefixLength = prefixLength;
        Version = version;
    }

    /// <summary>The network address (host bits cleared).</summary>
    public IPAddress Address { get; }

    /// <summary>The prefix length (32 or 128 for a single address).</summary>
    public int PrefixLength { get; }

    /// <summary>4 or 6.</summary>
    public int Version { get; }

    /// <summary>True for a single address.</summary>
    public bool IsSingleAddress => PrefixLength == (Version == 4 ? 32 : 128);

    /// <summary>Parses an IP literal (see <see cref="WazuhValidation.GetIpVersion"/>) with an optional <c>/prefix</c>.</summary>
    public static bool TryParse(string? text, out IpNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ipText = slash < 0 ? text : text[..slash];
        var version = WazuhValidation.GetIpVersion(ipText);
        if (version is null)
        {
            return false;
        }

        var max = version == 4 ? 32 : 128;
        var prefix = max;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.IsEmpty || prefixText.Length > 3 || prefixText.ContainsAnyExceptInRange('0', '9') ||
                (prefixText.Length > 1 && prefixText[0] == '0') ||
                !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max)
            {
                return false;
            }

            if (prefix < (version == 4 ? MinIPv4Prefix : MinIPv6Prefix))
            {
                return false;
            }
        }

        var bytes = IPAddress.Parse(ipText).GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IpNetwork(new IPAddress(bytes), prefix, version.Value);
        return true;
    }

    /// <summary>The address alone for a single address, <c>address/prefix</c> otherwise.</summary>
    public override string ToString() =>
        IsSingleAddress ? Address.ToString() : string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");
}
