using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Riposte.Safety;

public sealed class ProtectedAddressesTests
{
    private static readonly (IPAddress, string)[] Host =
    [
        (IPAddress.Parse("192.0.2.10"), "an address of this host (eth0)"),
        (IPAddress.Parse("192.0.2.1"), "this host's gateway (eth0)"),
        (IPAddress.Parse("2001:db8::53"), "one of this host's DNS servers"),
    ];

    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.9.9.9", "a loopback address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("192.0.2.10", "an address of this host (eth0)")]
    [InlineData("192.0.2.1", "this host's gateway (eth0)")]
    [InlineData("2001:db8::53", "one of this host's DNS servers")]
    [InlineData("::ffff:192.0.2.10", "an address of this host (eth0)")]
    [InlineData("10.1.2.3", "in the allowlist (10.0.0.0/8)")]
    [InlineData("203.0.113.9", null)]
    public void Protects_the_host_and_the_allowlist(string ip, string? why)
    {
        var guard = new ProtectedAddresses(true, [IPNetwork.Parse("10.0.0.0/8")], new FakeTimeProvider(), () => Host);

        guard.WhyProtected(IPAddress.Parse(ip)).ShouldBe(why);
    }

    [Fact]
    public void Per_response_allowlist_counts_too()
    {
        var guard = new ProtectedAddresses(true, [], new FakeTimeProvider(), () => Host);

        guard.WhyProtected(IPAddress.Parse("198.51.100.7"), [IPNetwork.Parse("198.51.100.0/24")]).ShouldBe("in this response's allowlist (198.51.100.0/24)");
    }

    [Fact]
    public void Host_protection_can_be_turned_off_but_not_the_allowlist()
    {
        var guard = new ProtectedAddresses(false, [IPNetwork.Parse("10.0.0.0/8")], new FakeTimeProvider(), () => Host);

        guard.WhyProtected(IPAddress.Parse("127.0.0.1")).ShouldBeNull();
        guard.WhyProtected(IPAddress.Parse("10.0.0.1")).ShouldNotBeNull();
    }

    [Fact]
    public void Host_facts_are_refreshed()
    {
        var time = new FakeTimeProvider();
        var facts = new List<(IPAddress, string)>();
        var guard = new ProtectedAddresses(true, [], time, () => facts);
        guard.WhyProtected(IPAddress.Parse("192.0.2.77")).ShouldBeNull();

        facts.Add((IPAddress.Parse("192.0.2.77"), "an address of this host (eth1)"));
        guard.WhyProtected(IPAddress.Parse("192.0.2.77")).ShouldBeNull();
        time.Advance(ProtectedAddresses.RefreshInterval);

        guard.WhyProtected(IPAddress.Parse("192.0.2.77")).ShouldBe("an address of this host (eth1)");
    }

    [Fact]
    public void Reads_the_real_host()
    {
        var guard = new ProtectedAddresses(true, [], TimeProvider.System);

        guard.WhyProtected(IPAddress.Loopback).ShouldNotBeNull();
        guard.WhyProtected(IPAddress.Parse("203.0.113.254")).ShouldBeNull();
    }

    [Theory]
    [InlineData("::ffff:7f00:1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("0:0:0:0:0:ffff:7f00:1")]
    [InlineData("::127.0.0.1")]
    [InlineData("::ffff:0:127.0.0.1")]
    [InlineData("::ffff:c000:20a")]
    [InlineData("fe80::10")]
    [InlineData("fe80::10%7")]
    public void Every_spelling_of_a_protected_address_is_protected(string ip)
    {
        (IPAddress, string)[] host = [.. Host, (IPAddress.Parse("fe80::10%2"), "an address of this host (eth0)")];
        var guard = new ProtectedAddresses(true, [], new FakeTimeProvider(), () => host);

        guard.WhyProtected(IPAddress.Parse(ip)).ShouldNotBeNull();
    }

    [Fact]
    public void The_allowlist_matches_mapped_spellings()
    {
        var guard = new ProtectedAddresses(false, [IPNetwork.Parse("10.0.0.0/8")], new FakeTimeProvider(), () => Host);

        guard.WhyProtected(IPAddress.Parse("::ffff:a01:203")).ShouldBe("in the allowlist (10.0.0.0/8)");
        guard.WhyProtected(IPAddress.Parse("::1")).ShouldBeNull();
    }
}
