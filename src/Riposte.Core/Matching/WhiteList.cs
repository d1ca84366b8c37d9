using Riposte.Matching.OsRegex;

namespace Riposte.Matching;

/// <summary>
/// analysisd's <c>&lt;white_list&gt;</c>: an IPv4/CIDR list (with OSSEC's <c>!</c> semantics) plus OSMatch patterns
/// for everything else, IPv6 included.
/// </summary>
public sealed class WhiteList
{
    private readonly IPv4Entry[] _ips;
    private readonly OsMatchPattern[] _patterns;

    internal WhiteList(IPv4Entry[] ips, OsMatchPattern[] patterns, IReadOnlyList<string> entries)
    {
        _ips = ips;
        _patterns = patterns;
        Entries = entries;
    }

    /// <summary>An empty white list.</summary>
    public static WhiteList Empty { get; } = new([], [], []);

    /// <summary>Every entry as written, in order.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>True when analysisd would skip an AR for an event with this <c>srcip</c>.</summary>
    public bool Contains(string srcip)
    {
        var ip = StripMappedPrefix(srcip);
        if (_ips.Length > 0 && IpListContains(ip))
        {
            return true;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(ip))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>analysisd strips a leading <c>::ffff:</c> from srcip before any white-list test.</summary>
    public static string StripMappedPrefix(string srcip) =>
        srcip.StartsWith("::ffff:", StringComparison.Ordinal) ? srcip[7..] : srcip;

    private bool IpListContains(string ip)
    {
        // OS_IPFoundList: the answer for a hit flips to "not found" once a '!' entry has been walked past,
        // and a miss after a '!' entry counts as found.
        var found = true;
        if (!IpText.TryParseIPv4(ip, out var address))
        {
            if (!IpText.IsIPv6(ip))
            {
                return false;
            }

            foreach (var entry in _ips)
            {
                if (entry.Negated)
                {
                    found = false;
                }
            }

            return !found;
        }

        foreach (var entry in _ips)
        {
            if (entry.Negated)
            {
                found = false;
            }

            if ((address & entry.Mask) == entry.Network)
            {
                return found;
            }
        }

        return !found;
    }
}

/// <summary>One IPv4 white-list entry: network and mask in host byte order.</summary>
internal readonly record struct IPv4Entry(uint Network, uint Mask, bool Negated);
