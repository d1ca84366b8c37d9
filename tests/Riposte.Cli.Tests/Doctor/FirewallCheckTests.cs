namespace Riposte.Cli.Doctor;

public sealed class FirewallCheckTests
{
    [Fact]
    public async Task A_missing_tool_a_configured_response_needs_fails()
    {
        using var home = new DoctorHome();
        home.RemoveTool("iptables");

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var iptables = report.One("firewall", "iptables");
        iptables.GetProperty("status").GetString().ShouldBe("fail");
        iptables.GetProperty("message").GetString().ShouldBe($"not found in {home.Tools} (used by firewall-drop600): those responses fail on every alert");
        iptables.GetProperty("fix").GetString()!.ShouldStartWith("apt-get install iptables");
        report.Failures.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_missing_tool_nothing_needs_is_skipped()
    {
        using var home = new DoctorHome();
        home.RemoveTool("nft");

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(0, report.Text);
        report.One("firewall", "nft").GetProperty("status").GetString().ShouldBe("skip");
    }

    [Fact]
    public async Task A_kernel_without_nf_tables_fails_for_a_response_that_needs_it()
    {
        using var home = new DoctorHome();
        home.WriteTool("nft", "#!/bin/sh\necho 'Error: Could not process rule: Operation not supported' >&2\nexit 1");
        home.Home.WriteConfig(600, """
            <command><name>nft-drop</name><executable>nft-drop</executable><timeout_allowed>yes</timeout_allowed></command>
            <active-response><command>nft-drop</command><location>local</location><rules_id>5712</rules_id><timeout>60</timeout></active-response>
            """);
        home.Home.WriteProgram("nft-drop", TestHome.EventsProgram);

        var (exit, report) = await home.RunJsonAsync();

        exit.ShouldBe(ExitCodes.InvalidInput);
        var nft = report.One("firewall", "nft");
        nft.GetProperty("status").GetString().ShouldBe("fail");
        nft.GetProperty("message").GetString()!.ShouldContain("`nft list tables` fails: Error: Could not process rule: Operation not supported");
        nft.GetProperty("fix").GetString()!.ShouldContain("modprobe nf_tables");
    }
}
