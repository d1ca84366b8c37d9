using System.Net;

namespace Riposte.Config.Settings;

using static SettingsTestHelpers;

public sealed class AllowlistParsingTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData("0.0.0.0/1", "0.0.0.0/1")]
    [InlineData("255.255.255.255/32", "255.255.255.255/32")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("::1", "::1/128")]
    [InlineData("fe80::/10", "fe80::/10")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1/128")]
    public void Accepts(string entry, string expected)
    {
        NetworkSyntax.TryParseNetwork(entry, out var network, out string? warning, out string? error).ShouldBeTrue(error);
        warning.ShouldBeNull();
        network.ShouldBe(IPNetwork.Parse(expected));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "10.0.0.0/8")]
    [InlineData("192.168.1.77/24", "192.168.1.0/24")]
    [InlineData("172.31.255.255/12", "172.16.0.0/12")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("fe80::1:2/64", "fe80::/64")]
    public void Host_bits_are_normalised_with_a_warning(string entry, string expected)
    {
        NetworkSyntax.TryParseNetwork(entry, out var network, out string? warning, out _).ShouldBeTrue();
        network.ShouldBe(IPNetwork.Parse(expected));
        warning.ShouldBe($"\"{entry}\" has host bits set; normalised to {expected}");
    }

    [Theory]
    [InlineData("0.0.0.0/0", "every IPv4 address")]
    [InlineData("::/0", "every IPv6 address")]
    [InlineData("10.0.0.0/0", "has host bits set; normalised to 0.0.0.0/0; \"10.0.0.0/0\" covers every IPv4 address")]
    public void Whole_family_is_a_warning(string entry, string fragment)
    {
        NetworkSyntax.TryParseNetwork(entry, out _, out string? warning, out _).ShouldBeTrue();
        warning.ShouldNotBeNull().ShouldContain(fragment);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "prefix length must be 0 to 32")]
    [InlineData("2001:db8::/129", "prefix length must be 0 to 128")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/8/8", "prefix length")]
    [InlineData("10.0.0.0/x", "prefix length")]
    [InlineData("256.0.0.1", "is not an IP address")]
    [InlineData("10.1", "is not an IP address")]
    [InlineData("10", "is not an IP address")]
    [InlineData("0x0a.0.0.1", "is not an IP address")]
    [InlineData("010.0.0.1", "leading zeros are ambiguous")]
    [InlineData("10.0.0.01/32", "leading zeros are ambiguous")]
    [InlineData("1.2.3.4.5", "is not an IP address")]
    [InlineData("fe80::1%eth0", "zone indexes")]
    [InlineData("[::1]", "is not an IPv6 address")]
    [InlineData("2001:db8:::1", "is not an IPv6 address")]
    [InlineData("gateway.example.com", "host names and patterns belong in Wazuh's <white_list>")]
    [InlineData("", "is not an IP address")]
    public void Rejects(string entry, string fragment)
    {
        NetworkSyntax.TryParseNetwork(entry, out _, out _, out string? error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(fragment);
    }

    [Fact]
    public void Entries_in_the_file_are_checked_one_by_one_at_their_positions()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText("""
            {
              "safety": {
                "allowlist": [
                  "10.0.0.0/8",
                  "10.0.0.1/8",
                  "not-an-ip",
                  42,
                  "2001:db8::/300"
                ]
              }
            }
            """);
        settings.ShouldBeNull();
        diagnostics.Count.ShouldBe(4);
        diagnostics[0].ShouldBeAt(DiagnosticSeverity.Warning, 5, 7, "safety.allowlist[1]: \"10.0.0.1/8\" has host bits set; normalised to 10.0.0.0/8");
        diagnostics[1].ShouldBeAt(DiagnosticSeverity.Error, 6, 7, "safety.allowlist[2]: \"not-an-ip\" is not an IP address or CIDR network");
        diagnostics[2].ShouldBeAt(DiagnosticSeverity.Error, 7, 7, "safety.allowlist[3] must be a string, not a number");
        diagnostics[3].ShouldBeAt(DiagnosticSeverity.Error, 8, 7, "safety.allowlist[4]: \"2001:db8::/300\": the prefix length must be 0 to 128");
    }

    [Fact]
    public void Normalised_entries_are_kept()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText("""{ "defaults": { "allowlist": ["10.0.0.1/8", "::1"] } }""");
        diagnostics.ShouldHaveSingleItem().Severity.ShouldBe(DiagnosticSeverity.Warning);
        settings.ShouldNotBeNull().Defaults.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::1/128")]);
    }

    [Fact]
    public void Allowlist_must_be_an_array() =>
        Single("""{ "safety": { "allowlist": "10.0.0.0/8" } }""")
            .ShouldBeAt(DiagnosticSeverity.Error, 1, 28, "safety.allowlist must be an array of IP addresses and CIDR networks, not a string");
}
