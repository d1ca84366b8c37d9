using Riposte.Support;

namespace Riposte.Programs;

/// <summary>firewall-drop run as execd runs it, with fake iptables/ip6tables recording their argument vectors.</summary>
public sealed class FirewallDropTests
{
    private const string MissingRule = "echo 'iptables: Bad rule (does a matching rule exist in that chain?).' >&2; exit 1";

    private static string AddExchange(string srcip) =>
        Messages.WithSrcIp("add", srcip) + "\n" + Messages.WithSrcIp("continue", srcip) + "\n";

    [Fact]
    public async Task Add_checks_then_inserts_INPUT_and_FORWARD_rules()
    {
        using var home = new ArHome();
        home.FakeTool("iptables", $"case \"$2\" in -C) {MissingRule};; esac");

        var result = await home.RunAsync("firewall-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("""{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}""" + "\n");
        home.CallLines.ShouldBe([
            "iptables -w -C INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -I INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -C FORWARD -s 203.0.113.45 -j DROP",
            "iptables -w -I FORWARD -s 203.0.113.45 -j DROP",
        ]);
        home.LogMessages[0].ShouldBe("Starting");
        home.LogMessages[^1].ShouldBe("Ended");
        home.Log.ShouldContain("active-response/bin/firewall-drop: Starting\n");
    }

    [Fact]
    public async Task Add_does_not_duplicate_an_existing_rule()
    {
        using var home = new ArHome();
        home.FakeTool("iptables");

        var result = await home.RunAsync("firewall-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldBe([
            "iptables -w -C INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -C FORWARD -s 203.0.113.45 -j DROP",
        ]);
        home.LogMessages.ShouldContain("iptables: INPUT already drops 203.0.113.45");
    }

    [Fact]
    public async Task IPv6_uses_ip6tables()
    {
        using var home = new ArHome();
        home.FakeTool("ip6tables", $"case \"$2\" in -C) {MissingRule};; esac");

        var result = await home.RunAsync("firewall-drop", AddExchange("2001:db8:85a3::8a2e:370:7334"));

        result.ExitCode.ShouldBe(0);
        home.CallLines.ShouldContain("ip6tables -w -I INPUT -s 2001:db8:85a3::8a2e:370:7334 -j DROP");
        home.CallLines.ShouldContain("ip6tables -w -I FORWARD -s 2001:db8:85a3::8a2e:370:7334 -j DROP");
    }

    [Fact]
    public async Task Delete_removes_every_copy_and_a_missing_rule_is_fine()
    {
        using var home = new ArHome();

        // Two copies in INPUT (left by an earlier stateless Wazuh firewall-drop), none in FORWARD.
        home.FakeTool("iptables", $$"""
            count_file='{{home.Combine("deleted-$3")}}'
            n=$(/bin/cat "$count_file" 2>/dev/null || echo 0)
            if [ "$3" = INPUT ] && [ "$n" -lt 2 ]; then echo $((n+1)) > "$count_file"; exit 0; fi
            {{MissingRule}}
            """);

        var result = await home.RunAsync("firewall-drop", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBeEmpty();
        home.CallLines.ShouldBe([
            "iptables -w -D INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -D INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -D INPUT -s 203.0.113.45 -j DROP",
            "iptables -w -D FORWARD -s 203.0.113.45 -j DROP",
        ]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Missing_iptables_is_logged_with_Wazuh_text_and_exit_0()
    {
        using var home = new ArHome();

        var result = await home.RunAsync("firewall-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        home.LogMessages[^1].ShouldBe("The iptables file 'iptables' is not accessible: No such file or directory (2)");
        home.LogMessages.ShouldNotContain("Ended");
    }

    [Fact]
    public async Task Missing_ip6tables_keeps_Wazuh_label()
    {
        using var home = new ArHome();

        await home.RunAsync("firewall-drop", Messages.WithSrcIp("delete", "2001:db8::1") + "\n");

        home.LogMessages[^1].ShouldBe("The iptables file 'ip6tables' is not accessible: No such file or directory (2)");
    }

    [Theory]
    [InlineData("../../tmp/malicious")]
    [InlineData("192.168.1.1; rm -rf /")]
    [InlineData("")]
    [InlineData("$(reboot)")]
    public async Task Invalid_srcip_is_refused_before_the_handshake(string srcip)
    {
        using var home = new ArHome();
        home.FakeTool("iptables");

        var result = await home.RunAsync("firewall-drop", AddExchange(srcip));

        result.ExitCode.ShouldBe(255);
        result.Stdout.ShouldBeEmpty();
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe("Cannot read 'srcip' from data or invalid IP format");
    }

    [Fact]
    public async Task Abort_does_nothing()
    {
        using var home = new ArHome();
        home.FakeTool("iptables");

        var result = await home.RunAsync("firewall-drop", Messages.WithSrcIp("add", "203.0.113.45") + "\n" + Messages.WithSrcIp("abort", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe("Aborted");
    }

    [Fact]
    public async Task A_failing_iptables_is_reported_with_exit_1()
    {
        using var home = new ArHome();
        home.FakeTool("iptables", "case \"$2\" in -C) exit 1;; -I) echo 'iptables v1.8.9: Permission denied (you must be root)' >&2; exit 4;; esac");

        var result = await home.RunAsync("firewall-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^1].ShouldBe("iptables -w -I INPUT -s 203.0.113.45 -j DROP: exit status 4 (iptables v1.8.9: Permission denied (you must be root))");
    }

    [Fact]
    public async Task Windows_eventdata_ip_is_the_key()
    {
        using var home = new ArHome();
        home.FakeTool("iptables");
        var alert = """{"rule":{"id":"60122"},"data":{"win":{"eventdata":{"ipAddress":"203.0.113.99"}}}}""";

        var result = await home.RunAsync("firewall-drop", Messages.Execd("add", alert) + "\n" + Messages.Execd("continue", alert) + "\n");

        result.Stdout.ShouldContain("\"keys\":[\"203.0.113.99\"]");
        home.CallLines.ShouldContain("iptables -w -C INPUT -s 203.0.113.99 -j DROP");
    }

    [Fact]
    public async Task The_lock_file_is_a_flock_under_var_run()
    {
        using var home = new ArHome();
        home.FakeTool("iptables");

        await home.RunAsync("firewall-drop", AddExchange("203.0.113.45"));

        File.Exists(home.Combine("var", "run", "riposte-fw-drop.lock")).ShouldBeTrue();
        Directory.Exists(home.Combine("active-response", "bin", "fw-drop")).ShouldBeFalse();
    }
}
