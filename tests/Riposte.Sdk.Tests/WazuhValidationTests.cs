using Riposte.Sdk;

namespace Riposte;

/// <summary>Wazuh's own vectors (spec §9.1: test_active-response.c, test_ip-customblock.c) and the stricter IPv4 rule.</summary>
public sealed class WazuhValidationTests
{
    [Theory]
    [InlineData("testuser")]
    [InlineData("user123")]
    [InlineData("1testuser")]
    [InlineData("_testuser")]
    [InlineData("test_user")]
    [InlineData("test-user")]
    [InlineData("machine$")]
    [InlineData("test$user")]
    [InlineData("TestUser")]
    [InlineData("TESTUSER")]
    [InlineData("test.user")]
    public void Valid_usernames(string name) => WazuhValidation.IsValidUsername(name).ShouldBeTrue();

    [Theory]
    [InlineData("root")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-testuser")]
    [InlineData("+testuser")]
    [InlineData("~testuser")]
    [InlineData("test:user")]
    [InlineData("test,user")]
    [InlineData("test user")]
    [InlineData("test\tuser")]
    [InlineData("test/user")]
    [InlineData("test\\user")]
    [InlineData("../root")]
    [InlineData("test/../user")]
    [InlineData("test\nuser")]
    [InlineData("test\ruser")]
    public void Invalid_usernames(string? name) => WazuhValidation.IsValidUsername(name).ShouldBeFalse();

    [Fact]
    public void Usernames_are_limited_to_256_bytes()
    {
        WazuhValidation.IsValidUsername(new string('a', 256)).ShouldBeTrue();
        WazuhValidation.IsValidUsername(new string('a', 257)).ShouldBeFalse();
        WazuhValidation.IsValidUsername(new string('é', 129)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("192.168.1.100", 4)]
    [InlineData("2001:0db8::1", 6)]
    [InlineData("0.0.0.0", 4)]
    [InlineData("255.255.255.255", 4)]
    [InlineData("::1", 6)]
    [InlineData("::ffff:192.0.2.1", 6)]
    [InlineData("2001:db8:85a3::8a2e:370:7334", 6)]
    public void Ip_versions(string ip, int version) => WazuhValidation.GetIpVersion(ip).ShouldBe(version);

    [Theory]
    [InlineData("../../tmp/malicious")]
    [InlineData("192.168.1.1; rm -rf /")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("01.2.3.4")]
    [InlineData("10.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.4/32")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::1/64")]
    [InlineData("2001:db8:::1")]
    [InlineData("localhost")]
    [InlineData("-1.2.3.4")]
    [InlineData("1.2.3.4\n")]
    public void Not_numeric_ips(string? ip)
    {
        WazuhValidation.GetIpVersion(ip).ShouldBeNull();
        WazuhValidation.IsNumericIp(ip).ShouldBeFalse();
    }
}
