using Riposte.Sdk;

namespace Riposte;

/// <summary>Riposte's rules on top of Wazuh's: one unicast numeric address, and user names without shell metacharacters.</summary>
public sealed class TargetRulesTests
{
    [Theory]
    [InlineData("203.0.113.5")]
    [InlineData("2001:db8::5")]
    [InlineData("::ffff:203.0.113.5")]
    [InlineData("fe80::1")]
    [InlineData("127.0.0.1")]
    public void Unicast_numeric_addresses_are_targets(string ip) => WazuhValidation.WhyNotTargetAddress(ip).ShouldBeNull();

    [Theory]
    [InlineData("127.1", "not a numeric IP address")]
    [InlineData("0x7f.1", "not a numeric IP address")]
    [InlineData("0127.0.0.1", "not a numeric IP address")]
    [InlineData("0x7f000001", "not a numeric IP address")]
    [InlineData("2130706433", "not a numeric IP address")]
    [InlineData("fe80::1%eth0", "not a numeric IP address")]
    [InlineData("1.2.3.0/24", "not a numeric IP address")]
    [InlineData("1.2.3.4\0", "not a numeric IP address")]
    [InlineData("1.2.3.4; touch X", "not a numeric IP address")]
    [InlineData("", "not a numeric IP address")]
    [InlineData(null, "not a numeric IP address")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::ffff:255.255.255.255", "broadcast")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    public void Other_addresses_are_not_targets(string? ip, string why) => WazuhValidation.WhyNotTargetAddress(ip)!.ShouldContain(why);

    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith")]
    [InlineData("a_b-c")]
    [InlineData("alice@corp.example")]
    [InlineData("WKS01$")]
    [InlineData("1testuser")]
    public void Ordinary_user_names_are_accepted(string name) => WazuhValidation.IsAcceptedUsername(name).ShouldBeTrue();

    [Theory]
    [InlineData("a;b")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("test$user")]
    [InlineData("$")]
    [InlineData("a$$")]
    [InlineData("a|b")]
    [InlineData("a&b")]
    [InlineData("a'b")]
    [InlineData("a*")]
    [InlineData("a?")]
    [InlineData("a\0b")]
    [InlineData("josé")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData("-x")]
    [InlineData("root")]
    [InlineData("")]
    [InlineData(null)]
    public void Unsafe_user_names_are_refused(string? name) => WazuhValidation.IsAcceptedUsername(name).ShouldBeFalse();

    [Fact]
    public void Root_may_be_allowed_for_programs_that_do_not_act_on_accounts()
    {
        WazuhValidation.WhyNotAcceptedUsername("root", allowRoot: true).ShouldBeNull();
        WazuhValidation.WhyNotAcceptedUsername("$(id)", allowRoot: true).ShouldNotBeNull();
    }

    [Fact]
    public void Riposte_refuses_everything_wazuh_refuses()
    {
        string?[] wazuhRefuses = ["root", null, "", "-testuser", "+testuser", "~testuser", "test:user", "test,user", "test user", "test\tuser",
            "test/user", "test\\user", "../root", "test/../user", new string('a', 257)];
        foreach (var name in wazuhRefuses)
        {
            WazuhValidation.IsValidUsername(name).ShouldBeFalse();
            WazuhValidation.IsAcceptedUsername(name).ShouldBeFalse();
        }

        WazuhValidation.IsAcceptedUsername(new string('a', 256)).ShouldBeTrue();
    }
}
