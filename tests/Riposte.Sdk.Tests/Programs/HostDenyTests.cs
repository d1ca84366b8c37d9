using System.Text;
using Riposte.Support;

namespace Riposte.Programs;

/// <summary>host-deny on a temp file named by RIPOSTE_HOSTS_DENY; quirk Q19 fixed, IPv6 bracketed.</summary>
public sealed class HostDenyTests
{
    private static string AddExchange(string srcip) =>
        Messages.WithSrcIp("add", srcip) + "\n" + Messages.WithSrcIp("continue", srcip) + "\n";

    private static Task<ArHome.RunResult> RunAsync(ArHome home, string stdin) =>
        home.RunAsync("host-deny", stdin, new Dictionary<string, string> { ["RIPOSTE_HOSTS_DENY"] = home.Combine("hosts.deny") });

    [Fact]
    public async Task Add_appends_even_when_a_longer_address_contains_it()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("hosts.deny"), "# comment\nALL:10.0.0.10\n");

        var result = await RunAsync(home, AddExchange("10.0.0.1"));

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("\"name\":\"host-deny\"");
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("# comment\nALL:10.0.0.10\nALL:10.0.0.1\n");
        home.LogMessages[^1].ShouldBe("Ended");
    }

    [Fact]
    public async Task Add_of_an_existing_entry_changes_nothing_and_is_not_an_error()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("hosts.deny"), "ALL:10.0.0.1\n");

        var result = await RunAsync(home, AddExchange("10.0.0.1"));

        result.ExitCode.ShouldBe(0);
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("ALL:10.0.0.1\n");
        home.LogMessages[^2..].ShouldBe([$"IP 10.0.0.1 already exists on '{home.Combine("hosts.deny")}'", "Ended"]);
    }

    [Fact]
    public async Task Delete_removes_only_the_exact_line_and_keeps_every_other_byte()
    {
        using var home = new ArHome();
        var original = "# ÿ latin-1 byte, CRLF below\r\nALL:10.0.0.10\r\n  ALL:10.0.0.1  \r\nsshd: 10.0.0.1\nALL:10.0.0.1\n";
        File.WriteAllBytes(home.Combine("hosts.deny"), Encoding.Latin1.GetBytes(original));

        var result = await RunAsync(home, Messages.WithSrcIp("delete", "10.0.0.1") + "\n");

        result.ExitCode.ShouldBe(0);
        Encoding.Latin1.GetString(File.ReadAllBytes(home.Combine("hosts.deny")))
            .ShouldBe("# ÿ latin-1 byte, CRLF below\r\nALL:10.0.0.10\r\nsshd: 10.0.0.1\n");
    }

    [Fact]
    public async Task IPv6_is_bracketed_and_delete_also_removes_Wazuh_unbracketed_form()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("hosts.deny"), "ALL:2001:db8::1\n");

        await RunAsync(home, AddExchange("2001:db8::1"));
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("ALL:2001:db8::1\nALL:[2001:db8::1]\n");

        await RunAsync(home, Messages.WithSrcIp("delete", "2001:db8::1") + "\n");
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_file_is_created_and_a_missing_final_newline_added()
    {
        using var home = new ArHome();

        await RunAsync(home, AddExchange("192.0.2.1"));
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("ALL:192.0.2.1\n");

        File.WriteAllText(home.Combine("hosts.deny"), "ALL:192.0.2.1");
        await RunAsync(home, AddExchange("192.0.2.2"));
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("ALL:192.0.2.1\nALL:192.0.2.2\n");
    }

    [Fact]
    public async Task The_mode_is_kept_and_no_temporary_file_is_left()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("hosts.deny"), "");
        File.SetUnixFileMode(home.Combine("hosts.deny"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        await RunAsync(home, AddExchange("192.0.2.1"));

        File.GetUnixFileMode(home.Combine("hosts.deny")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Directory.GetFiles(home.Root, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_symlinked_file_is_edited_where_it_points()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("real.deny"), "");
        File.CreateSymbolicLink(home.Combine("hosts.deny"), home.Combine("real.deny"));

        await RunAsync(home, AddExchange("192.0.2.1"));

        new FileInfo(home.Combine("hosts.deny")).LinkTarget.ShouldNotBeNull();
        File.ReadAllText(home.Combine("real.deny")).ShouldBe("ALL:192.0.2.1\n");
    }

    [Fact]
    public async Task Delete_of_an_absent_entry_leaves_the_file_alone()
    {
        using var home = new ArHome();
        File.WriteAllText(home.Combine("hosts.deny"), "ALL:10.0.0.10\n");
        var before = File.GetLastWriteTimeUtc(home.Combine("hosts.deny"));

        var result = await RunAsync(home, Messages.WithSrcIp("delete", "10.0.0.1") + "\n");

        result.ExitCode.ShouldBe(0);
        File.ReadAllText(home.Combine("hosts.deny")).ShouldBe("ALL:10.0.0.10\n");
        File.GetLastWriteTimeUtc(home.Combine("hosts.deny")).ShouldBe(before);
    }

    [Fact]
    public async Task Invalid_srcip_is_refused()
    {
        using var home = new ArHome();

        var result = await RunAsync(home, AddExchange("ALL"));

        result.ExitCode.ShouldBe(255);
        File.Exists(home.Combine("hosts.deny")).ShouldBeFalse();
        home.LogMessages[^1].ShouldBe("Cannot read 'srcip' from data or invalid IP format");
    }
}
