using Riposte.Sdk;

namespace Riposte;

public sealed class IpNetworkTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", 32, 4)]
    [InlineData("198.51.100.0/24", "198.51.100.0/24", 24, 4)]
    [InlineData("198.51.100.77/24", "198.51.100.0/24", 24, 4)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", 8, 4)]
    [InlineData("192.0.2.1/32", "192.0.2.1", 32, 4)]
    [InlineData("2001:0db8::1", "2001:db8::1", 128, 6)]
    [InlineData("2001:db8:1:2::/48", "2001:db8:1::/48", 48, 6)]
    public void Parses_addresses_and_networks(string text, string canonical, int prefix, int version)
    {
        IpNetwork.TryParse(text, out var network).ShouldBeTrue();
        network.ToString().ShouldBe(canonical);
        network.PrefixLength.ShouldBe(prefix);
        network.Version.ShouldBe(version);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.0.0.0/7")]
    [InlineData("::/0")]
    [InlineData("2001::/15")]
    [InlineData("1.2.3.4/33")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/024")]
    [InlineData("1.2.3.4/+24")]
    [InlineData("1.2.3.4/24/1")]
    [InlineData("../../tmp/malicious")]
    [InlineData("")]
    [InlineData(null)]
    public void Refuses_the_rest(string? text) => IpNetwork.TryParse(text, out _).ShouldBeFalse();
}
