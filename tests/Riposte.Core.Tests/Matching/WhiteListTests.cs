using Riposte.Config;

namespace Riposte.Matching;

public sealed class WhiteListTests
{
    private static WhiteList Build(params string[] entries)
    {
        var builder = new WhiteListBuilder();
        foreach (var entry in entries)
        {
            builder.Add(entry).ShouldBeNull();
        }

        return builder.Build();
    }

    [Theory]
    [InlineData("10.0.0.2", true)]
    [InlineData("10.0.0.20", false)]
    [InlineData("192.168.100.7", true)]
    [InlineData("192.168.101.7", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.2", true)]
    [InlineData("203.0.113.45", false)]
    public void Fixture_white_list(string ip, bool expected)
    {
        var config = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

        config.WhiteList.Contains(ip).ShouldBe(expected);
    }

    [Fact]
    public void Dotted_mask_is_accepted()
    {
        var list = Build("172.16.0.0/255.255.0.0");

        list.Contains("172.16.9.9").ShouldBeTrue();
        list.Contains("172.17.0.1").ShouldBeFalse();
    }

    [Fact]
    public void Negated_entry_flips_the_answer_quirk()
    {
        // OS_IPFoundList: after a '!' entry a hit means "not found" and a miss means "found".
        var list = Build("!10.0.0.0/8");

        list.Contains("10.1.2.3").ShouldBeFalse();
        list.Contains("8.8.8.8").ShouldBeTrue();
    }

    [Fact]
    public void Entries_before_a_negation_still_count()
    {
        var list = Build("192.0.2.1", "!10.0.0.0/8");

        list.Contains("192.0.2.1").ShouldBeTrue();
        list.Contains("10.9.9.9").ShouldBeFalse();
        list.Contains("198.51.100.1").ShouldBeTrue();
    }

    [Fact]
    public void IPv6_entries_are_substring_patterns_quirk_Q8()
    {
        var list = Build("2001:db8::1");

        list.Contains("2001:db8::1").ShouldBeTrue();
        list.Contains("2001:db8::10").ShouldBeTrue();
        list.Contains("2001:db8::2").ShouldBeFalse();
    }

    [Fact]
    public void Hostname_patterns_match_the_srcip_text()
    {
        var list = Build("^localhost.localdomain$");

        list.Contains("localhost.localdomain").ShouldBeTrue();
        list.Contains("LOCALHOST.LOCALDOMAIN").ShouldBeTrue();
        list.Contains("xlocalhost.localdomain").ShouldBeFalse();
    }

    [Theory]
    [InlineData("1.2.3.4/33")]
    [InlineData("256.1.1.1")]
    [InlineData("01.2.3.4")]
    public void Bad_ipv4_entries_are_rejected(string entry)
    {
        new WhiteListBuilder().Add(entry)!.Value.Code.ShouldBe(1237);
    }

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("1.2.3.256", false)]
    [InlineData("", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("::ffff:1.2.3.4", true)]
    [InlineData("1", false)]
    public void Numeric_ip_parsing_is_strict(string text, bool expected)
    {
        IpText.IsNumericIp(text).ShouldBe(expected);
    }
}
