using Riposte.Support;

namespace Riposte.Programs;

public sealed class FirewalldDropTests
{
    [Fact]
    public async Task Add_is_a_runtime_rich_rule()
    {
        using var home = new ArHome();
        home.FakeTool("firewall-cmd");

        var result = await home.RunAsync("firewalld-drop", Messages.WithSrcIp("add", "203.0.113.45") + "\n" + Messages.WithSrcIp("continue", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        home.Calls.ShouldBe([["firewall-cmd", "--add-rich-rule=rule family=\"ipv4\" source address=\"203.0.113.45\" drop"]]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Delete_removes_the_IPv6_rule_and_NOT_ENABLED_is_fine()
    {
        using var home = new ArHome();
        home.FakeTool("firewall-cmd", "echo 'Warning: NOT_ENABLED' >&2; exit 12");

        var result = await home.RunAsync("firewalld-drop", Messages.WithSrcIp("delete", "2001:db8::1") + "\n");

        result.ExitCode.ShouldBe(0);
        home.Calls.ShouldBe([["firewall-cmd", "--remove-rich-rule=rule family=\"ipv6\" source address=\"2001:db8::1\" drop"]]);
    }

    [Fact]
    public async Task A_failed_call_is_retried()
    {
        using var home = new ArHome();
        home.FakeTool("firewall-cmd", $$"""
            [ -e '{{home.Combine("second")}}' ] && exit 0
            : > '{{home.Combine("second")}}'
            echo 'FirewallD is not running' >&2; exit 252
            """);

        var result = await home.RunAsync("firewalld-drop", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        home.Calls.Length.ShouldBe(2);
    }

    [Fact]
    public async Task Missing_firewall_cmd_is_exit_255_as_in_Wazuh()
    {
        using var home = new ArHome();

        var result = await home.RunAsync("firewalld-drop", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(255);
        home.LogMessages[^1].ShouldBe("The firewall-cmd file 'firewall-cmd' is not accessible: No such file or directory (2)");
    }
}
