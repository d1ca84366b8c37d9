using Riposte.Support;

namespace Riposte.Programs;

public sealed class IpsetDropTests
{
    private static string AddExchange(string srcip, string extraArgs = "[]") =>
        Messages.WithSrcIp("add", srcip, extraArgs) + "\n" + Messages.WithSrcIp("continue", srcip, extraArgs) + "\n";

    [Fact]
    public async Task Add_creates_the_set_and_rule_then_adds_the_element()
    {
        using var home = new ArHome();
        home.FakeTool("ipset");
        home.FakeTool("iptables", "[ \"$2\" = -C ] && exit 1");

        var result = await home.RunAsync("ipset-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("\"name\":\"ipset-drop\"");
        home.CallLines.ShouldBe([
            "ipset create riposte4 hash:net family inet timeout 0 maxelem 1000000 -exist",
            "iptables -w -C INPUT -m set --match-set riposte4 src -j DROP",
            "iptables -w -I INPUT -m set --match-set riposte4 src -j DROP",
            "ipset add riposte4 203.0.113.45 -exist",
        ]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task The_rule_is_not_duplicated_and_IPv6_uses_riposte6()
    {
        using var home = new ArHome();
        home.FakeTool("ipset");
        home.FakeTool("ip6tables");

        var result = await home.RunAsync("ipset-drop", AddExchange("2001:db8::/48"));

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe([
            "ipset create riposte6 hash:net family inet6 timeout 0 maxelem 1000000 -exist",
            "ip6tables -w -C INPUT -m set --match-set riposte6 src -j DROP",
            "ipset add riposte6 2001:db8::/48 -exist",
        ]);
    }

    [Theory]
    [InlineData("timeout=600", "ipset add riposte4 203.0.113.45 timeout 600 -exist")]
    [InlineData("timeout=2147483", "ipset add riposte4 203.0.113.45 timeout 2147483 -exist")]
    [InlineData("timeout=2147484", "ipset add riposte4 203.0.113.45 -exist")]
    public async Task Element_timeouts_only_within_the_kernel_limit(string option, string expected)
    {
        using var home = new ArHome();
        home.FakeTool("ipset");
        home.FakeTool("iptables");

        var result = await home.RunAsync("ipset-drop", AddExchange("203.0.113.45", $"[\"{option}\"]"));

        result.ExitCode.ShouldBe(0);
        home.CallLines[^1].ShouldBe(expected);
    }

    [Fact]
    public async Task Delete_removes_the_element_and_a_missing_set_is_fine()
    {
        using var home = new ArHome();
        home.FakeTool("ipset", "echo 'ipset v7.17: The set with the given name does not exist' >&2; exit 1");

        var result = await home.RunAsync("ipset-drop", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe(["ipset del riposte4 203.0.113.45 -exist"]);
        home.LogMessages[^2..].ShouldBe(["ipset: set riposte4 does not exist", "Ended"]);
    }

    [Fact]
    public async Task A_failing_ipset_is_exit_1()
    {
        using var home = new ArHome();
        home.FakeTool("ipset", "[ \"$1\" = add ] && { echo 'ipset v7.17: Hash is full, cannot add more elements' >&2; exit 1; }");
        home.FakeTool("iptables");

        var result = await home.RunAsync("ipset-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^1].ShouldContain("Hash is full");
    }
}
