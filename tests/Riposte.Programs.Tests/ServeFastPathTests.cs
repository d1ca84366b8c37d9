namespace Riposte.Programs.Tests;

/// <summary>
/// The daemon end to end, in a namespace: alerts in, nft-drop applied in-process (the fast path) with real traffic
/// blocked, the set rebuilt from the state after a firewall flush, and revoke letting the offender back in.
/// </summary>
public sealed class ServeFastPathTests(RiposteArBinary binary)
{
    private static string Riposte => Path.Combine(AppContext.BaseDirectory, "riposte.dll");

    private static Task<CmdResult> RiposteInAsync(NetnsPair net, string home, params string[] args) =>
        Cmd.RunAsync([.. net.ServerLauncher, "dotnet", Riposte, .. args], timeout: TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task Serve_blocks_in_process_reconciles_after_a_flush_and_revoke_unblocks(IpFamily family)
    {
        HostRequirements.Require("ip", "nft", "python3", "dotnet");
        await using var net = await NetnsPair.CreateAsync();
        using var home = await WazuhHome.CreateAsync(binary, "nft-drop");
        var offender = NetnsPair.PeerAddress(family);
        Directory.CreateDirectory(Path.Combine(home.Path, "etc"));
        Directory.CreateDirectory(Path.Combine(home.Path, "logs", "alerts"));
        await File.WriteAllTextAsync(Path.Combine(home.Path, "etc", "ossec.conf"), """
            <ossec_config>
              <command><name>nft-drop</name><executable>nft-drop</executable><timeout_allowed>yes</timeout_allowed></command>
              <active-response><command>nft-drop</command><location>local</location><rules_id>5712</rules_id><timeout>600</timeout></active-response>
            </ossec_config>
            """, TestContext.Current.CancellationToken);
        var alerts = Path.Combine(home.Path, "logs", "alerts", "alerts.json");
        await File.WriteAllTextAsync(alerts,
            $$$"""{"rule":{"level":10,"id":"5712","groups":["sshd"]},"agent":{"id":"001","name":"web"},"id":"7.1","data":{"srcip":"{{{offender}}}"}}""" + "\n",
            TestContext.Current.CancellationToken);
        await net.ShouldConnectAsync(family, because: "nothing is blocked yet");

        var serve = await RiposteInAsync(net, home.Path, "serve", "--home", home.Path, "--alerts", alerts, "--from-start", "--until-idle");
        serve.ExitCode.ShouldBe(0, serve.ToString());
        await net.ShouldBeBlockedAsync(family, because: "serve applied nft-drop in-process");
        home.LogLines().ShouldContain(l => l.EndsWith(" active-response/bin/nft-drop: Ended", StringComparison.Ordinal));

        await net.ServerMustAsync("nft", "flush", "ruleset");
        await net.ShouldConnectAsync(family, because: "the firewall was flushed behind Riposte's back");
        var again = await RiposteInAsync(net, home.Path, "serve", "--home", home.Path, "--alerts", alerts, "--until-idle");
        again.ExitCode.ShouldBe(0, again.ToString());
        await net.ShouldBeBlockedAsync(family, because: "the start-up reconciliation re-added the active block");
        home.LogLines().ShouldContain(l => l.EndsWith(" riposte: Reconciled nft-drop: re-added 1 missing, removed 0 stale.", StringComparison.Ordinal));

        var revoke = await RiposteInAsync(net, home.Path, "revoke", "--home", home.Path, offender);
        revoke.ExitCode.ShouldBe(0, revoke.ToString());
        await net.ShouldConnectAsync(family, because: "revoke removed the block");
    }
}
