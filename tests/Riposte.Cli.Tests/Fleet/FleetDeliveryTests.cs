using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>
/// Delivery through real processes and a real nats-server: commands for an agent that is down wait for it and run once,
/// in order; a NATS restart or a cluster node's death loses nothing; a command past its time-to-live never runs.
/// </summary>
public sealed class FleetDeliveryTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private const string LocalBlock =
        "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>";

    private static readonly string[] Names = ["firewall-drop600"];

    /// <summary>The events program, slow for one address so a kill can land while it runs.</summary>
    private static string SlowFor(string ip) => TestHome.EventsProgram.Replace("IFS= read -r line1",
        $"IFS= read -r line1\ncase \"$line1\" in *'\"{ip}\"'*) echo started >> \"$PWD/slow\"; sleep 3 ;; esac", StringComparison.Ordinal);

    private static string[] Adds(TestHome home) => [.. home.Events().Where(e => e.StartsWith("add ", StringComparison.Ordinal))];

    [Fact]
    public async Task An_agent_killed_and_restarted_gets_every_command_sent_while_it_was_down_once_and_in_order()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: Ct);
        using var fleet = new FleetHomes(LocalBlock);
        // One slot: the events file's order is then the order commands entered the engine.
        var home = fleet.AddAgentHome(Names, "\"max_parallel\": 1");
        home.WriteProgram("firewall-drop", SlowFor("192.0.2.3"));
        fleet.Enrol(FleetHomes.Agent("001"));
        await using var manager = fleet.StartManager(nats.Url);

        var agent = FleetHomes.StartAgent(home, "001", nats.Url);
        for (var i = 1; i <= 2; i++)
        {
            fleet.Alert("101", "001", $"192.0.2.{i}", $"1.{i}");
        }

        await TestHome.WaitForAsync(() => Adds(home).Length == 2, "the first two adds", 30_000);
        // The third one is slow: kill the agent while its program runs, before it is acknowledged.
        fleet.Alert("101", "001", "192.0.2.3", "1.3");
        await TestHome.WaitForAsync(() => File.Exists(Path.Combine(home.Path, "slow")), "the slow program to start", 30_000);
        await agent.KillHardAsync();
        await agent.DisposeAsync();
        Adds(home).Length.ShouldBe(2, "the kill came after the slow program finished; the test proves nothing");

        for (var i = 4; i <= 12; i++)
        {
            fleet.Alert("101", "001", $"192.0.2.{i}", $"1.{i}");
        }

        // The manager stores them in NATS while the agent is down.
        await Task.Delay(1500, Ct);
        await using (var restarted = FleetHomes.StartAgent(home, "001", nats.Url))
        {
            await TestHome.WaitForAsync(() => Adds(home).Length >= 12, "every add after the restart", 60_000);
            await Task.Delay(1000, Ct);
            Adds(home).ShouldBe(Enumerable.Range(1, 12).Select(i => $"add 192.0.2.{i}"), $"agent:\n{restarted.Log}\nmanager:\n{manager.Log}");
        }
    }

    [Fact]
    public async Task A_nats_server_restarted_mid_stream_loses_no_command()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: Ct);
        using var fleet = new FleetHomes(LocalBlock);
        var home = fleet.AddAgentHome(Names);
        fleet.Enrol(FleetHomes.Agent("001"));
        await using var manager = fleet.StartManager(nats.Url);
        await using var agent = FleetHomes.StartAgent(home, "001", nats.Url);

        for (var i = 1; i <= 15; i++)
        {
            fleet.Alert("101", "001", $"198.51.100.{i}", $"2.{i}");
        }

        await TestHome.WaitForAsync(() => Adds(home).Length >= 3, "the first adds", 30_000);
        await nats.KillAsync();
        for (var i = 16; i <= 30; i++)
        {
            fleet.Alert("101", "001", $"198.51.100.{i}", $"2.{i}");
        }

        await Task.Delay(1500, Ct);
        await nats.RestartAsync(Ct);
        await TestHome.WaitForAsync(() => Adds(home).Length >= 30, "all 30 adds", 60_000);
        await Task.Delay(1000, Ct);
        FleetHomes.ShouldEachBeAddedOnce(home, Enumerable.Range(1, 30).Select(i => $"198.51.100.{i}"), $"agent:\n{agent.Log}\nmanager:\n{manager.Log}");
    }

    [Fact]
    public async Task A_three_node_cluster_with_replicated_streams_loses_nothing_when_a_node_dies()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var nodes = await NatsServerProcess.StartClusterAsync(cancellationToken: Ct);
        try
        {
            var urls = string.Join(",", nodes.Select(n => n.Url));
            using var fleet = new FleetHomes(LocalBlock, managerSettings: "");
            File.WriteAllText(Path.Combine(fleet.Manager.Path, "etc", "riposte.json"),
                """{ "safety": { "never_block_self": false }, "fleet": { "node_name": "m1", "replicas": 3 } }""");
            var home = fleet.AddAgentHome(Names);
            fleet.Enrol(FleetHomes.Agent("001"));
            await using var manager = fleet.StartManager(urls);
            await using var agent = FleetHomes.StartAgent(home, "001", urls);
            for (var i = 1; i <= 15; i++)
            {
                fleet.Alert("101", "001", $"203.0.113.{i}", $"3.{i}");
            }

            await TestHome.WaitForAsync(() => Adds(home).Length >= 3, "the first adds", 60_000);
            await nodes[0].KillAsync();
            for (var i = 16; i <= 30; i++)
            {
                fleet.Alert("101", "001", $"203.0.113.{i}", $"3.{i}");
            }

            await TestHome.WaitForAsync(() => Adds(home).Length >= 30, "all 30 adds", 90_000);
            await Task.Delay(1000, Ct);
            FleetHomes.ShouldEachBeAddedOnce(home, Enumerable.Range(1, 30).Select(i => $"203.0.113.{i}"), $"agent:\n{agent.Log}\nmanager:\n{manager.Log}");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_command_past_its_time_to_live_is_recorded_expired_and_never_runs()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: Ct);
        using var fleet = new FleetHomes(LocalBlock, commandTtlSeconds: 2);
        var home = fleet.AddAgentHome(Names);
        fleet.Enrol(FleetHomes.Agent("001"));
        await using var manager = fleet.StartManager(nats.Url);
        fleet.Alert("101", "001", "192.0.2.77", "4.1");

        var history = await FleetHomes.WaitForHistoryAsync(fleet.Manager, null, 20_000, "expired");
        history.ShouldContain("001");
        await using (var agent = FleetHomes.StartAgent(home, "001", nats.Url))
        {
            await TestHome.WaitForAsync(() => agent.Log.Contains("Taking commands", StringComparison.Ordinal), "the agent to bind", 30_000);
            await Task.Delay(2000, Ct);
            home.Events().ShouldBeEmpty(agent.Log);
        }
    }

    [Fact]
    public async Task The_manager_shows_each_outcome_and_agent_and_trigger_and_revoke_with_agent_act_there()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: Ct);
        using var fleet = new FleetHomes(LocalBlock);
        var home = fleet.AddAgentHome(Names);
        fleet.Enrol(FleetHomes.Agent("001"));
        await using var manager = fleet.StartManager(nats.Url);
        await using var agent = FleetHomes.StartAgent(home, "001", nats.Url);
        fleet.Alert("101", "001", "192.0.2.55", "5.1");
        fleet.Alert("101", "001", "192.0.2.55", "5.2");

        var history = await FleetHomes.WaitForHistoryAsync(fleet.Manager, null, 30_000, "abort");
        history.ShouldContain("add");
        history.ShouldContain("192.0.2.55");
        var agents = await CliRunner.RunAsync(["agents", "--home", fleet.Manager.Path]);
        agents.Out.ShouldContain("001");
        agents.Out.ShouldContain("active");

        var trigger = await CliRunner.RunAsync(["trigger", "--home", fleet.Manager.Path, "--command", "firewall-drop600", "--srcip", "192.0.2.56",
            "--agent", "all", "--nats", nats.Url]);
        trigger.ExitCode.ShouldBe(0, trigger.Error);
        await TestHome.WaitForAsync(() => home.Events().Contains("add 192.0.2.56"), "the triggered add on the agent", 30_000);
        var refused = await CliRunner.RunAsync(["trigger", "--home", fleet.Manager.Path, "--command", "firewall-drop600", "--srcip", "192.0.2.56;id",
            "--agent", "001", "--nats", nats.Url]);
        refused.ExitCode.ShouldNotBe(0, "an address a program would act on is validated before anything is sent");

        var revoke = await CliRunner.RunAsync(["revoke", "192.0.2.55", "--home", fleet.Manager.Path, "--agent", "001", "--nats", nats.Url]);
        revoke.ExitCode.ShouldBe(0, revoke.Error);
        await TestHome.WaitForAsync(() => home.Events().Contains("delete 192.0.2.55"), "the delete on the agent", 30_000);
        (await FleetHomes.WaitForHistoryAsync(fleet.Manager, null, 30_000, "revoke")).ShouldContain("001");
        var status = await CliRunner.RunAsync(["status", "--home", fleet.Manager.Path, "--agent", "001"]);
        status.Out.ShouldNotContain("192.0.2.55", customMessage: "revoked on the agent, so no longer active in the manager's view");
    }

    [Fact]
    public async Task An_agent_with_wrong_credentials_is_refused_and_runs_nothing()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(new NatsServerOptions("""
            authorization { users = [ { user: "riposte-manager", password: "m-secret" }, { user: "agent-001", password: "right" } ] }
            """), Ct);
        using var fleet = new FleetHomes(LocalBlock);
        var home = fleet.AddAgentHome(Names);
        fleet.Enrol(FleetHomes.Agent("001"));
        var paths = Registry.FleetPaths.For(fleet.Manager.Path, Path.Combine(fleet.Manager.Path, "var", "riposte", "state.db"));
        new Registry.FleetCredentials("riposte-manager", "m-secret").Write(paths.ManagerCredentials);
        var wrong = Path.Combine(home.Path, "etc", "wrong.creds.json");
        new Registry.FleetCredentials("agent-001", "wrong").Write(wrong);

        await using var manager = fleet.StartManager(nats.Url);
        fleet.Alert("101", "001", "192.0.2.66", "6.1");
        await using var agent = FleetHomes.StartAgent(home, "001", nats.Url, "--credentials", wrong);
        (await agent.WaitForExitAsync(30_000)).ShouldBe(Riposte.Cli.ExitCodes.Unavailable, agent.Log);
        agent.Log.ShouldContain("refused");
        home.Events().ShouldBeEmpty();
    }

}
