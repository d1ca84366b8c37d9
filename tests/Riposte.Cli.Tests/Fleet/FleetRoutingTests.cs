using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>A real manager, real agent processes and a real nats-server: each Wazuh location and each Riposte route ends on the right hosts.</summary>
public sealed class FleetRoutingTests
{
    private const string Blocks = """
        <active-response><command>firewall-drop</command><location>server</location><rules_id>100</rules_id><timeout>600</timeout></active-response>
        <active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>
        <active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>002</agent_id><rules_id>102</rules_id><timeout>600</timeout></active-response>
        <active-response><command>firewall-drop</command><location>all</location><rules_id>103</rules_id><timeout>600</timeout></active-response>
        <active-response><command>firewall-drop</command><location>local</location><rules_id>104</rules_id><timeout>601</timeout></active-response>
        <active-response><command>firewall-drop</command><location>local</location><rules_id>105</rules_id><timeout>602</timeout></active-response>
        <active-response><command>firewall-drop</command><location>local</location><rules_id>106</rules_id><timeout>603</timeout></active-response>
        """;

    // Routes replace the location: group web (001, 003), the labelled agent 002 plus the manager, and all agents and the manager.
    private const string Routes = """
        , "responses": {
          "firewall-drop601": { "route": { "groups": ["web"] } },
          "firewall-drop602": { "route": { "labels": { "env": "prod" }, "manager": true } },
          "firewall-drop603": { "route": { "all_agents": true, "manager": true } } }
        """;

    [Fact]
    public async Task Each_location_and_each_route_runs_on_exactly_the_hosts_it_names()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var fleet = new FleetHomes(Blocks, Routes);
        string[] names = ["firewall-drop600", "firewall-drop601", "firewall-drop602", "firewall-drop603"];
        var agents = new[] { fleet.AddAgentHome(names), fleet.AddAgentHome(names), fleet.AddAgentHome(names) };
        fleet.Enrol(
            FleetHomes.Agent("001", "web"),
            new Registry.EnrolledAgent("002", [], new Dictionary<string, string> { ["env"] = "prod" }),
            FleetHomes.Agent("003", "web"));

        fleet.Alert("100", "001", "192.0.2.100", "1.100");   // server: the manager
        fleet.Alert("101", "001", "192.0.2.101", "1.101");   // local from 001: agent 001
        fleet.Alert("101", "000", "192.0.2.111", "1.111");   // local from the manager itself: the manager
        fleet.Alert("102", "001", "192.0.2.102", "1.102");   // defined-agent 002
        fleet.Alert("103", "003", "192.0.2.103", "1.103");   // all: every agent, not the manager
        fleet.Alert("104", "002", "192.0.2.104", "1.104");   // route group web: 001 and 003
        fleet.Alert("105", "001", "192.0.2.105", "1.105");   // route label env=prod + manager: 002 and the manager
        fleet.Alert("106", "001", "192.0.2.106", "1.106");   // route all agents and the manager

        await using var manager = fleet.StartManager(nats.Url);
        await using var a1 = FleetHomes.StartAgent(agents[0], "001", nats.Url);
        await using var a2 = FleetHomes.StartAgent(agents[1], "002", nats.Url);
        await using var a3 = FleetHomes.StartAgent(agents[2], "003", nats.Url);

        var expected = new Dictionary<TestHome, string[]>
        {
            [fleet.Manager] = ["192.0.2.100", "192.0.2.111", "192.0.2.105", "192.0.2.106"],
            [agents[0]] = ["192.0.2.101", "192.0.2.103", "192.0.2.104", "192.0.2.106"],
            [agents[1]] = ["192.0.2.102", "192.0.2.103", "192.0.2.105", "192.0.2.106"],
            [agents[2]] = ["192.0.2.103", "192.0.2.104", "192.0.2.106"],
        };
        var total = expected.Values.Sum(v => v.Length);
        await TestHome.WaitForAsync(() => expected.Keys.Sum(h => h.Events().Length) >= total, "every response to run",
            timeoutMs: 60_000);
        // Anything misrouted would arrive with the rest; give a straggler a moment to show itself.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        foreach (var (home, ips) in expected)
        {
            home.Events().Order().ShouldBe(ips.Select(ip => $"add {ip}").Order(), $"{home.Path}\nmanager:\n{manager.Log}\nagent1:\n{a1.Log}");
        }
    }

    [Fact]
    public async Task An_agent_that_is_not_enrolled_gets_analysisd_s_datagram_through_remoted_s_queue()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var fleet = new FleetHomes(
            "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>");
        File.WriteAllText(System.IO.Path.Combine(fleet.Manager.Path, "etc", "riposte.json"),
            """{ "safety": { "never_block_self": false }, "fleet": { "remoted_queue": "queue/alerts/ar", "node_name": "m1" } }""");
        var queue = System.IO.Path.Combine(fleet.Manager.Path, "queue", "alerts", "ar");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(queue)!);
        // A datagram socket standing in for wazuh-remoted.
        using var remoted = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram,
            System.Net.Sockets.ProtocolType.Unspecified);
        remoted.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(queue));
        fleet.Alert("101", "005", "192.0.2.5", "8.1");

        var explain = await CliRunner.RunAsync(["explain", "--config", fleet.Manager.Config, "--alerts", fleet.Manager.Alerts, "--format", "json"]);
        using var expected = System.Text.Json.JsonDocument.Parse(explain.OutLines[0]);
        var body = expected.RootElement.GetProperty("actions")[0].GetProperty("message").GetRawText();

        await using var manager = fleet.StartManager(nats.Url);
        var buffer = new byte[70_000];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await remoted.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
        var datagram = System.Text.Encoding.UTF8.GetString(buffer, 0, received);
        datagram.ShouldBe("(local_source) [] NRN 005 " + body, manager.Log);
    }
}
