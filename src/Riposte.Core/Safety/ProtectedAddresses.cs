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

    /// <summary>Why <paramref name="address"/> must not be blocked, or null when it may be.</summary>
    public string? WhyProtected(IPAddress address, IReadOnlyList<IPNetwork>? extraAllowlist = null)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _allowlist)
        {
            if (network.Contains(address))
            {
                return $"in the allowlist ({network})";
            }
        }

        foreach (var network in extraAllowlist ?? [])
        {
            if (network.Contains(address))
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
            if (network.Contains(address))
            {
                return "a loopback address";
            }
        }

        foreach (var (own, why) in Facts())
        {
            if (own.Equals(address))
            {
                return why;
            }
        }

        return null;
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
