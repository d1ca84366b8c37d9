using System.Net;
using System.Net.NetworkInformation;

namespace Riposte.Safety;

/// <summary>
/// Addresses a response must never block: loopback, this host's own addresses, its default gateways and DNS
/// servers, and the configured allowlist. Host facts are re-read when older than <see cref="RefreshInterval"/>,
/// so an address added to an interface is protected without a restart.
/// </summary>
public sealed class ProtectedAddresses
{
    /// <summary>How long host facts are trusted.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    private readonly bool _protectHost;
    private readonly IReadOnlyList<IPNetwork> _allowlist;
    private readonly TimeProvider _time;
    private readonly Func<IEnumerable<(IPAddress Address, string Why)>> _hostFacts;
    private (DateTimeOffset At, IReadOnlyList<(IPAddress Address, string Why)> Facts)? _cache;

    /// <summary>Protects the host (when <paramref name="protectHost"/>) and <paramref name="allowlist"/>.</summary>
    public ProtectedAddresses(bool protectHost, IReadOnlyList<IPNetwork> allowlist, TimeProvider timeProvider,
        Func<IEnumerable<(IPAddress Address, string Why)>>? hostFacts = null)
    {
        _protectHost = protectHost;
        _allowlist = allowlist;
        _time = timeProvider;
        _hostFacts = hostFacts ?? ReadHostFacts;
    }

    /// <summary>
    /// Why <paramref name="address"/> must not be blocked, or null when it may be. Every spelling counts: the address is
    /// compared without its zone and, when it embeds an IPv4 address (mapped <c>::ffff:a.b.c.d</c>, compatible
    /// <c>::a.b.c.d</c>, translated <c>::ffff:0:a.b.c.d</c>), as that IPv4 address too, so <c>::ffff:7f00:1</c> is loopback.
    /// </summary>
    public string? WhyProtected(IPAddress address, IReadOnlyList<IPNetwork>? extraAllowlist = null)
    {
        var candidates = Spellings(address);
        foreach (var network in _allowlist)
        {
            if (candidates.Any(network.Contains))
            {
                return $"in the allowlist ({network})";
            }
        }

        foreach (var network in extraAllowlist ?? [])
        {
            if (candidates.Any(network.Contains))
            {
                return $"in this response's allowlist ({network})";
            }
        }

        if (!_protectHost)
        {
            return null;
        }

        foreach (var network in Loopback)
        {
            if (candidates.Any(network.Contains))
            {
                return "a loopback address";
            }
        }

        foreach (var (own, why) in Facts())
        {
            if (Spellings(own).Any(o => candidates.Contains(o)))
            {
                return why;
            }
        }

        return null;
    }

    /// <summary>
    /// The addresses <paramref name="address"/> stands for: itself without a zone id and, for the IPv6 forms that embed
    /// an IPv4 address, that IPv4 address. <c>::</c> and <c>::1</c> are not IPv4-compatible spellings.
    /// </summary>
    public static IReadOnlyList<IPAddress> Spellings(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return [address];
        }

        var bytes = address.GetAddressBytes();
        var unscoped = new IPAddress(bytes);
        var zeros = bytes.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0;
        var mapped = zeros && bytes[8] == 0 && bytes[9] == 0 && bytes[10] == 0xFF && bytes[11] == 0xFF;
        var translated = zeros && bytes[8] == 0xFF && bytes[9] == 0xFF && bytes[10] == 0 && bytes[11] == 0;
        var compatible = zeros && bytes.AsSpan(8, 4).IndexOfAnyExcept((byte)0) < 0 && bytes.AsSpan(12, 3).IndexOfAnyExcept((byte)0) >= 0;
        return mapped || translated || compatible ? [unscoped, new IPAddress(bytes.AsSpan(12, 4))] : [unscoped];
    }

    private IReadOnlyList<(IPAddress Address, string Why)> Facts()
    {
        var now = _time.GetUtcNow();
        if (_cache is { } cache && now - cache.At < RefreshInterval)
        {
            return cache.Facts;
        }

        var facts = _hostFacts().ToList();
        _cache = (now, facts);
        return facts;
    }

    private static List<(IPAddress, string)> ReadHostFacts()
    {
        var facts = new List<(IPAddress, string)>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            facts.AddRange(properties.UnicastAddresses.Select(u => (u.Address, $"an address of this host ({nic.Name})")));
            facts.AddRange(properties.GatewayAddresses.Select(g => (g.Address, $"this host's gateway ({nic.Name})")));
        }

        facts.AddRange(ResolvConfServers().Select(dns => (dns, "one of this host's DNS servers")));
        return facts;
    }

    /// <summary><c>nameserver</c> lines of /etc/resolv.conf (what the resolver really uses).</summary>
    private static IEnumerable<IPAddress> ResolvConfServers()
    {
        const string path = "/etc/resolv.conf";
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "nameserver" &&
                IPAddress.TryParse(parts[1].Split('%')[0], out var dns))
            {
                yield return dns;
            }
        }
    }
}
