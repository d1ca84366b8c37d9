using Riposte.Sdk;

namespace Riposte.Matching;

/// <summary>
/// Strict numeric IP parsing, as <c>inet_pton</c> does it (no shorthand IPv4 forms, no zone ids). One implementation
/// with the programs: this delegates to <see cref="WazuhValidation"/>.
/// </summary>
public static class IpText
{
    /// <summary>Parses a dotted-quad IPv4 address into a host-order integer.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out uint address) => WazuhValidation.TryParseIPv4(text, out address);

    /// <summary>True for a numeric IPv6 literal (no brackets, no zone id, no prefix, no spaces).</summary>
    public static bool IsIPv6(ReadOnlySpan<char> text) => WazuhValidation.IsIPv6(text);

    /// <summary>True for a numeric IPv4 or IPv6 literal (what Wazuh's 4.14.7+ programs accept).</summary>
    public static bool IsNumericIp(ReadOnlySpan<char> text) => TryParseIPv4(text, out _) || IsIPv6(text);
}
