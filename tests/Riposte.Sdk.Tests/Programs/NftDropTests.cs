using Riposte.Support;

namespace Riposte.Programs;

/// <summary>nft-drop with a fake nft that keeps the scripts it is fed and plays the kernel's answers.</summary>
public sealed class NftDropTests
{
    private const string Setup = """
        add table inet riposte
        add set inet riposte blocked4 { type ipv4_addr; flags interval, timeout; size 1000000; }
        add set inet riposte blocked6 { type ipv6_addr; flags interval, timeout; size 1000000; }
        add chain inet riposte input { type filter hook input priority -10; policy accept; }
        add chain inet riposte forward { type filter hook forward priority -10; policy accept; }
        flush chain inet riposte input
        flush chain inet riposte forward
        add rule inet riposte input ip saddr @blocked4 drop
        add rule inet riposte input ip6 saddr @blocked6 drop
        add rule inet riposte forward ip saddr @blocked4 drop
        add rule inet riposte forward ip6 saddr @blocked6 drop

        """;

    /// <summary>A fake nft: "-f -" scripts are saved (separated by ===); without a table only a script creating it succeeds.</summary>
    private static void FakeNft(ArHome home, string extra = "")
    {
        home.FakeTool("nft", $$"""
            state='{{home.Combine("nft-table")}}'
            if [ "$1" = -f ]; then
              input=$(/bin/cat)
              printf '%s\n===\n' "$input" >> "$STDIN_FILE"
              case "$input" in *"add table"*) : > "$state";; esac
            fi
            [ -e "$state" ] || { echo 'Error: No such file or directory' >&2; exit 1; }
            {{extra}}
            """);
    }

    private static string[] Scripts(ArHome home) => home.ToolInput("nft").Split("\n===\n", StringSplitOptions.RemoveEmptyEntries);

    private static string AddExchange(string srcip, string extraArgs = "[]") =>
        Messages.WithSrcIp("add", srcip, extraArgs) + "\n" + Messages.WithSrcIp("continue", srcip, extraArgs) + "\n";

    [Fact]
    public async Task First_add_creates_everything_and_the_element_in_one_transaction()
    {
        using var home = new ArHome();
        FakeNft(home);

        var result = await home.RunAsync("nft-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("""{"version":1,"origin":{"name":"nft-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}""" + "\n");
        home.CallLines.ShouldBe(["nft -f -", "nft -f -"]);
        Scripts(home).ShouldBe([
            "add element inet riposte blocked4 { 203.0.113.45 }",
            Setup + "add element inet riposte blocked4 { 203.0.113.45 }",
        ]);
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Later_adds_are_one_element_command()
    {
        using var home = new ArHome();
        FakeNft(home);
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", AddExchange("2001:db8::7"));

        result.ExitCode.ShouldBe(0);
        Scripts(home).ShouldBe(["add element inet riposte blocked6 { 2001:db8::7 }"]);
    }

    [Fact]
    public async Task A_timeout_argument_becomes_an_element_timeout_reset_atomically()
    {
        using var home = new ArHome();
        FakeNft(home);
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", AddExchange("203.0.113.45", """["timeout=600"]"""));

        result.ExitCode.ShouldBe(0);
        Scripts(home).ShouldBe([
            "add element inet riposte blocked4 { 203.0.113.45 }\n" +
            "delete element inet riposte blocked4 { 203.0.113.45 }\n" +
            "add element inet riposte blocked4 { 203.0.113.45 timeout 600s }",
        ]);
    }

    [Fact]
    public async Task Cidr_sources_are_set_intervals()
    {
        using var home = new ArHome();
        FakeNft(home);
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", AddExchange("198.51.100.0/24"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("\"keys\":[\"198.51.100.0/24\"]");
        Scripts(home).ShouldBe(["add element inet riposte blocked4 { 198.51.100.0/24 }"]);
    }

    [Fact]
    public async Task An_address_inside_a_blocked_network_is_left_alone()
    {
        using var home = new ArHome();
        FakeNft(home, """[ "$1" = -f ] && { echo 'Error: interval overlaps with an existing one' >&2; exit 1; }""");
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", AddExchange("198.51.100.7"));

        result.ExitCode.ShouldBe(0);
        home.CallLines[^1].ShouldBe("nft get element inet riposte blocked4 { 198.51.100.7 }");
        home.LogMessages[^2..].ShouldBe(["nft: 198.51.100.7 is already covered by an element of blocked4", "Ended"]);
    }

    [Fact]
    public async Task A_network_over_narrower_elements_is_a_failure()
    {
        using var home = new ArHome();
        FakeNft(home, """echo 'Error: interval overlaps with an existing one' >&2; exit 1""");
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", AddExchange("198.51.0.0/16"));

        result.ExitCode.ShouldBe(1);
        home.LogMessages[^1].ShouldBe("nft: 198.51.0.0/16 overlaps narrower elements of blocked4; delete them first");
    }

    [Fact]
    public async Task Delete_removes_the_element_and_a_missing_one_is_fine()
    {
        using var home = new ArHome();
        FakeNft(home, """echo 'Error: element does not exist' >&2; exit 1""");
        File.WriteAllText(home.Combine("nft-table"), string.Empty);

        var result = await home.RunAsync("nft-drop", Messages.WithSrcIp("delete", "203.0.113.45") + "\n");

        result.ExitCode.ShouldBe(0);
        Scripts(home).ShouldBe(["delete element inet riposte blocked4 { 203.0.113.45 }"]);
        home.LogMessages[^2..].ShouldBe(["nft: 203.0.113.45 was not in blocked4", "Ended"]);
    }

    [Fact]
    public async Task Delete_without_the_table_is_fine()
    {
        using var home = new ArHome();
        FakeNft(home);

        var result = await home.RunAsync("nft-drop", Messages.WithSrcIp("delete", "2001:db8::7") + "\n");

        result.ExitCode.ShouldBe(0);
        Scripts(home).ShouldBe(["delete element inet riposte blocked6 { 2001:db8::7 }"]);
    }

    [Theory]
    [InlineData("""["timeout=abc"]""", "Invalid extra argument 'timeout=abc' (whole seconds from 1 to 315360000)")]
    [InlineData("""["timeout=0"]""", "Invalid extra argument 'timeout=0' (whole seconds from 1 to 315360000)")]
    [InlineData("""["size=5"]""", "Invalid extra argument 'size=5'")]
    [InlineData("""["now"]""", "Invalid extra argument 'now'")]
    public async Task Bad_extra_arguments_are_refused(string extraArgs, string message)
    {
        using var home = new ArHome();
        FakeNft(home);

        var result = await home.RunAsync("nft-drop", AddExchange("203.0.113.45", extraArgs));

        result.ExitCode.ShouldBe(255);
        result.Stdout.ShouldBeEmpty();
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe(message);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("../../tmp/malicious")]
    [InlineData("203.0.113.45 }; flush ruleset; add element inet riposte blocked4 { 1.2.3.4")]
    public async Task Unsafe_sources_are_refused(string srcip)
    {
        using var home = new ArHome();
        FakeNft(home);

        var result = await home.RunAsync("nft-drop", AddExchange(srcip));

        result.ExitCode.ShouldBe(255);
        home.Calls.ShouldBeEmpty();
        home.LogMessages[^1].ShouldBe("Cannot read 'srcip' from data or invalid IP format");
    }

    [Fact]
    public async Task Missing_nft_is_logged()
    {
        using var home = new ArHome();

        var result = await home.RunAsync("nft-drop", AddExchange("203.0.113.45"));

        result.ExitCode.ShouldBe(0);
        home.LogMessages[^1].ShouldBe("The nft file 'nft' is not accessible: No such file or directory (2)");
    }
}
